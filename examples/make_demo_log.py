#!/usr/bin/env python3
"""Generate ``examples/demo_stream.txt``, a synthetic French Twitch chat log.

Everything in the output is invented by this script: the channel
(``LeKiwiLive``, channel emotes ``kiwi*``), the guest (``nadia_watt``), the
viewers and every message.  No real chat is copied.

The log uses the TwitchDownloader text format with absolute UTC times::

    [2024-05-17 19:02:11 UTC] username: message

Run ``python examples/make_demo_log.py``; the output is deterministic
(``random.Random(7)``, standard library only), so rerunning it rewrites a
byte-identical file.

Segment timeline (UTC, 2024-05-17), also documented in examples/README.md:

    19:00-19:08  greetings (bonsoir, coucou, slt tout le monde ...)
    19:08-19:30  debate with the guest: nuclear power vs renewables
                 (19:13 guest's mic is muted, 19:18 peak about waste)
    19:30-19:45  cooking: pasta, rice, lasagne in the oven (19:41 peak)
    19:45-20:00  quiz, chat answers (Paris, 1789, c'est B, NA, 8, C)
    20:00-20:20  platform game: hype, fails (KEKW floods), boss win
    20:20-20:29  questions to the guest
    20:29-20:36  sub goal and giveaway (!giveaway, !drop), draw at 20:34
    20:36-20:42  football argument, PSG vs OM
    20:42-20:45  goodbyes (bonne nuit, a+, merci pour le stream)
"""

from __future__ import annotations

import datetime as _dt
import random
import re
import unicodedata
from pathlib import Path

SEED = 7
R = random.Random(SEED)

OUT = Path(__file__).resolve().parent / "demo_stream.txt"
START = _dt.datetime(2024, 5, 17, 19, 0, 0)
END_MIN = 105  # 19:00 + 105 min = 20:45

STREAMER = "LeKiwiLive"
GUEST = "nadia_watt"
GUEST_NAME = "Nadia"
BOT = "Nightbot"
MOD = "Modo_Sacha"
TROLL = "h4ck3r_du_dimanche"

# --------------------------------------------------------------------------
# segments: (start minute, end minute, topic, messages per minute)
# --------------------------------------------------------------------------
SEGMENTS = [
    (0, 8, "greetings", 24),
    (8, 30, "nuclear", 14),
    (30, 45, "cooking", 16),
    (45, 60, "quiz", 11),
    (60, 80, "game", 16),
    (80, 89, "guest_qa", 15),
    (89, 96, "giveaway", 16),
    (96, 102, "football", 20),
    (102, 105, "goodbyes", 30),
]

# minute -> multiplier, for calm stretches and peaks
RATE_SHAPE = {
    0: 0.7,
    1: 1.3,
    2: 1.4,
    3: 1.2,
    4: 1.0,
    5: 0.8,
    6: 0.7,
    7: 0.6,
    13: 1.5,
    17: 1.4,
    18: 2.0,
    19: 1.6,
    24: 0.5,
    25: 0.45,
    26: 0.5,
    34: 0.6,
    35: 0.6,
    40: 1.4,
    41: 1.9,
    42: 1.5,
    52: 0.7,
    66: 0.7,
    67: 0.6,
    76: 1.3,
    77: 1.4,
    84: 0.6,
    85: 0.7,
    93: 1.5,
    94: 1.9,
    99: 1.3,
    100: 1.4,
    104: 1.3,
}

# --------------------------------------------------------------------------
# emotes
# --------------------------------------------------------------------------
CHANNEL_EMOTES = [
    "kiwiLove",
    "kiwiHype",
    "kiwiGG",
    "kiwiSalut",
    "kiwiRire",
    "kiwiFail",
    "kiwiHmm",
    "kiwiCoeur",
    "kiwiPls",
]
GLOBAL_EMOTES = [
    "KEKW",
    "LUL",
    "PogChamp",
    "Kappa",
    "OMEGALUL",
    "monkaS",
    "Sadge",
    "catJAM",
    "Clap",
    "PepeHands",
    "EZ",
    "Pog",
    "BibleThump",
    "4Head",
    "NotLikeThis",
    "HeyGuys",
    "pepeLaugh",
    "widepeepoHappy",
    "peepoClap",
    "FeelsStrongMan",
    "LULW",
]
EMOTES = set(CHANNEL_EMOTES + GLOBAL_EMOTES)

# --------------------------------------------------------------------------
# viewers (all invented)
# --------------------------------------------------------------------------
VIEWERS = """
kiwi_du_93 LeGrandMechant potatoe_fr xXDarkSasukeXx_75 MamieGameuse
tonton_raclette Baguette_Furieuse lucie_cmoi Zebulon_64 croissant_volant
PtitLoup_31 chocapic_addict Le_Renard_Bleu Marmotte_Zen jeanmi_dlc SkyRoule
kevin_2009 Gaufre_Liegeoise Sushi_Sauvage Pingouin_Mauve capitaine_crepe
La_Fourmi_Rousse nyx_nocturne ThePoulpe Mister_Tartiflette bzh_legend
Clemou_ Yanis_TV ElodieRoule Raclette_Party Gros_Minet_13 Toto_Lharicot
Pastis_Et_Manette LoutreDeCombat Fromton_Affine Axolotl_Timide guigui_tkt
Mathou_42 RomainLeBref SaucissonSec Bichette_77 Loulou_Bzh DocMaboule_FR
Ninja_Du_Dimanche Chaton_Enerve Rillettes_Man petit_pois_13
Camembert_Nucleaire Quiche_Lorraine_57 LapinMalin_42 TartePommes
HibouGrognon Cassoulet_Dore Moustache_Royale Nutella_Sans_Huile
Vortex_Gaming_FR Sardine_Agile Manon_lvl99 Jojo_Pixel Crevette_Geante
ZizouDuDimanche Ornicar_Bleu Theo_Rie Gwen_ha_du Mimolette_Jr
belette_sauvage Pamplemousse_Zen Le_Vieux_Lion Kamel_Kuisine Fifou_Le_Fou
Choupette_63 Tartine_Beurre Hugo_Lo Albatros_Fou Panda_Roux_Fr
Biscotte_Brisee Merguez_Power Yaourt_Nature LaPetiteSirene_06
Gamin_De_Lyon Mamadou_GG nico_le_teen Steph_Ouane Coco_Lapin Zazie_Metro
GrosPouce Escargot_Turbo Olive_Noire Tagliatelle_Vx Boulette_Supreme
RaviOlive MoonWalker_Fr
""".split()
ENGLISH_VIEWERS = ["maple_moose_ca", "BritishBiscuit", "just_a_lurker_99", "taco_tuesday_tx"]
PSG_FANS = [
    "Gamin_De_Lyon",
    "ZizouDuDimanche",
    "Yanis_TV",
    "kevin_2009",
    "Vortex_Gaming_FR",
    "nico_le_teen",
    "Hugo_Lo",
    "Steph_Ouane",
]
OM_FANS = [
    "Gros_Minet_13",
    "petit_pois_13",
    "Pastis_Et_Manette",
    "Sardine_Agile",
    "Mamadou_GG",
    "Boulette_Supreme",
    "LaPetiteSirene_06",
]


class Viewer:
    def __init__(self, name: str, english: bool = False) -> None:
        self.name = name
        self.english = english
        # a few very chatty viewers, many occasional ones (Pareto-like)
        self.weight = min(R.paretovariate(1.3), 12.0)
        r = R.random()
        if r < 0.55:
            self.join = R.uniform(-5, 6) * 60
        elif r < 0.85:
            self.join = R.uniform(6, 60) * 60
        else:
            self.join = R.uniform(60, 95) * 60
        r = R.random()
        if r < 0.7:
            self.leave = END_MIN * 60 + 60
        else:
            self.leave = self.join + R.uniform(25, 80) * 60
        # writing style
        self.sms = R.choice([0.05, 0.2, 0.4, 0.7, 0.9])
        self.noacc = R.choice([0.0, 0.2, 0.6, 0.95])
        self.lower = R.choice([0.1, 0.5, 0.9, 0.95])
        self.stretch = R.choice([0.02, 0.08, 0.2])
        self.typo = R.choice([0.0, 0.03, 0.07, 0.15])
        self.caps = R.choice([0.0, 0.02, 0.08])
        self.emoji = R.choice([0.0, 0.05, 0.15, 0.3])
        self.emote = R.choice([0.05, 0.15, 0.3])


VIEWER_OBJS = [Viewer(n) for n in VIEWERS] + [Viewer(n, english=True) for n in ENGLISH_VIEWERS]
BY_NAME = {v.name: v for v in VIEWER_OBJS}
for _fan in PSG_FANS + OM_FANS:
    BY_NAME[_fan].leave = END_MIN * 60 + 60
    BY_NAME[_fan].join = min(BY_NAME[_fan].join, 90 * 60)

# --------------------------------------------------------------------------
# message store
# --------------------------------------------------------------------------
MESSAGES: list[tuple[int, int, str, str]] = []
RECENT: list[str] = []  # recent speakers, for @mentions


def add(sec: float, user: str, text: str) -> None:
    sec = int(sec)
    sec = max(0, min(END_MIN * 60 - 1, sec))
    assert ":" not in user and " " not in user and "\n" not in text
    MESSAGES.append((sec, len(MESSAGES), user, text))
    if user not in (BOT, STREAMER):
        RECENT.append(user)
        if len(RECENT) > 30:
            del RECENT[0]


def active(sec: float, english: bool | None = False) -> list[Viewer]:
    out = [v for v in VIEWER_OBJS if v.join <= sec < v.leave]
    if english is not None:
        out = [v for v in out if v.english == english]
    return out


def pick(sec: float, english: bool | None = False) -> Viewer:
    pool = active(sec, english)
    return R.choices(pool, weights=[v.weight for v in pool])[0]


def pick_many(sec: float, n: int, english: bool | None = False) -> list[Viewer]:
    pool = active(sec, english)
    chosen: list[Viewer] = []
    pool = list(pool)
    while pool and len(chosen) < n:
        v = R.choices(pool, weights=[max(v.weight, 1.0) for v in pool])[0]
        pool.remove(v)
        chosen.append(v)
    return chosen


def segment_at(sec: float) -> str:
    m = sec / 60
    for a, b, name, _ in SEGMENTS:
        if a <= m < b:
            return name
    return SEGMENTS[-1][2]


# --------------------------------------------------------------------------
# "chatification": SMS spelling, missing accents, stretched words, typos
# --------------------------------------------------------------------------
SMS = [
    (r"qu'est-ce que", ["kesk", "kes que"]),
    (r"je ne sais pas", ["jsp", "jsais pas", "chai pas"]),
    (r"je sais pas", ["jsp", "jsais pas", "chépa"]),
    (r"c'est quoi", ["c koi", "cé koi", "c quoi"]),
    (r"t'inquiète", ["tkt", "tqt"]),
    (r"tout le monde", ["tlm", "tt le monde"]),
    (r"s'il te plaît", ["stp"]),
    (r"s'il vous plaît", ["svp"]),
    (r"parce que", ["pcq", "pck", "paske"]),
    (r"quelqu'un", ["qqn", "qlq"]),
    (r"quelque chose", ["qqch"]),
    (r"aujourd'hui", ["ajd", "auj"]),
    (r"je suis", ["jsuis", "chui", "jsui"]),
    (r"il y a", ["ya", "y a"]),
    (r"pourquoi", ["pk", "pq", "pourquoi"]),
    (r"comment", ["cmt", "komen"]),
    (r"comme", ["kom", "cm"]),
    (r"c'est", ["c", "cé", "c", "sé"]),
    (r"ça", ["sa", "ca", "sa"]),
    (r"quoi", ["koi"]),
    (r"beaucoup", ["bcp"]),
    (r"vraiment", ["vrmt", "vraimen"]),
    (r"toujours", ["tjrs", "tjr"]),
    (r"d'accord", ["dac", "dacc", "d'acc"]),
    (r"avec", ["avc"]),
    (r"salut", ["slt"]),
    (r"bonjour", ["bjr"]),
    (r"merci", ["mrc", "mci", "merciii"]),
    (r"mais", ["mé", "mai"]),
    (r"trop", ["tro"]),
    (r"tout", ["tt"]),
    (r"bien", ["bi1"]),
    (r"oui", ["ui", "wi", "ouai"]),
    (r"non", ["nn", "nan"]),
    (r"demain", ["dem1"]),
    (r"rien", ["r1"]),
    (r"ouais", ["ouai", "wé", "wesh ouais"]),
    (r"est-ce que", ["esk", "est ce que"]),
    (r"qu'il", ["kil"]),
    (r"que", ["ke", "que"]),
]
SMS_RE = [(re.compile(r"(?<![\w@!/])" + p + r"(?![\w])", re.IGNORECASE), subs) for p, subs in SMS]

_EMOTE_ALT = "|".join(sorted(EMOTES, key=len, reverse=True))
PROTECT_RE = re.compile(r"(@\w+|https?://\S+|![a-z]+|<[^>]*>|\b(?:" + _EMOTE_ALT + r")\b)")
EMOJIS = [
    "😂",
    "🤣",
    "😭",
    "🔥",
    "❤️",
    "👀",
    "😅",
    "🙏",
    "💀",
    "😍",
    "👍",
    "🥲",
    "😤",
    "🤔",
    "👏",
    "✨",
    "😱",
]


def strip_accents(s: str) -> str:
    out = []
    for ch in s:
        d = unicodedata.normalize("NFD", ch)
        if len(d) > 1 and d[0].isascii() and d[0].isalpha():
            out.append(d[0])
        else:
            out.append(ch)
    return "".join(out)


NO_STRETCH = {"les", "des", "une", "que", "qui", "sur", "par", "pour", "leur", "mes", "tes", "ses"}


def _transform_plain(text: str, v: Viewer) -> str:
    if R.random() < v.sms:
        for rx, subs in SMS_RE:
            if R.random() < 0.75:
                text = rx.sub(lambda m, subs=subs: R.choice(subs), text)
    if R.random() < v.noacc:
        text = strip_accents(text)
    if R.random() < v.lower:
        text = text.lower()
    words = text.split(" ")
    if R.random() < v.typo:
        idx = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
        if idx:
            i = R.choice(idx)
            w = words[i]
            j = R.randrange(len(w) - 1)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    if R.random() < v.stretch:
        idx = [
            i
            for i, w in enumerate(words)
            if len(w) >= 3 and w[-1].lower() in "aeiouyré" and w.lower() not in NO_STRETCH
        ]
        if idx:
            i = R.choice(idx)
            words[i] = words[i] + words[i][-1] * R.randint(3, 8)
    return " ".join(words)


def chatify(text: str, v: Viewer | None) -> str:
    """Apply the viewer's spelling habits, leaving emotes/@/URLs/commands alone."""
    if v is None or v.english:
        return text
    parts = PROTECT_RE.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 1:
            out.append(part)
        elif part:
            out.append(_transform_plain(part, v))
    text = "".join(out)
    if R.random() < v.caps:
        text = PROTECT_RE.sub(lambda m: "\0" + m.group(0) + "\0", text)
        text = "".join(p if k % 2 else p.upper() for k, p in enumerate(text.split("\0")))
    if R.random() < v.emoji:
        e = R.choice(EMOJIS)
        text = text.rstrip() + " " + e * R.choice([1, 1, 2, 3])
    if R.random() < v.emote * 0.5:
        text = text.rstrip() + " " + R.choice(CHANNEL_EMOTES + GLOBAL_EMOTES[:10])
    return re.sub(r"\s+", " ", text).strip()


def fill(template: str, **extra: list[str]) -> str:
    """Replace {name} slots with random choices from WORDS / extra."""

    def rep(m: re.Match) -> str:
        key = m.group(1)
        pool = extra.get(key) or WORDS[key]
        return R.choice(pool)

    for _ in range(3):
        template = re.sub(r"\{(\w+)\}", rep, template)
    return template


WORDS = {
    "g": [GUEST_NAME, "Nadia", "@nadia_watt", "l'invitée", "la guest"],
    "s": [STREAMER, "Kiwi", "@LeKiwiLive", "kiwi", "le kiwi"],
    "chat": ["le chat", "le tchat", "tout le monde", "la commu", "les gens", "la team"],
    "op": [
        "perso",
        "franchement",
        "honnêtement",
        "pour moi",
        "je pense que",
        "bah",
        "non mais",
        "sérieux",
        "à mon avis",
        "clairement",
        "ok mais",
        "en vrai",
        "",
        "",
        "",
    ],
    "end": [
        "",
        "",
        "",
        " non ?",
        " !",
        " mdr",
        " jsp",
        "...",
        " en vrai",
        " voilà",
        " point",
        " ?",
    ],
}


# --------------------------------------------------------------------------
# topic generators (return raw text; chatify is applied afterwards)
# --------------------------------------------------------------------------
def t_greetings(v: Viewer) -> str:
    base = R.choice(
        [
            "bonsoir",
            "bonsoiiiir",
            "bonsoir !",
            "bonsoir {chat}",
            "slt tout le monde",
            "coucou",
            "coucou {chat}",
            "bjr",
            "yo le chat",
            "yo",
            "salut {s}",
            "hello",
            "bonsoir {s}",
            "bonsoir à tous",
            "coucou {s} !",
            "salut salut",
            "bonsoir bonsoir",
            "bonsoir le tchat",
            "wesh le chat",
            "re",
            "hey",
            "cc tlm",
            "bonsoir la commu",
            "coucouuu",
            "yo {s}",
            "bonsoir {g} !",
            "salut la team",
            "slt",
            "bjr tout le monde",
            "bonsoiiir {chat}",
        ]
    )
    extra = R.choice(
        [
            "",
            "",
            "",
            "",
            " ça va ?",
            " comment ça va ?",
            " kiwiSalut",
            " kiwiSalut kiwiSalut",
            " 👋",
            " première fois ici",
            " en retard ce soir",
            " j'attendais ce stream",
            " HeyGuys",
            " kiwiLove",
            " enfin le stream",
            " de retour du taf",
            " depuis Lyon",
            " depuis la Belgique",
            " vous allez bien ?",
            " on est là",
            " présent !",
        ]
    )
    return fill(base + extra)


NUCLEAR_CLAIMS = [
    "le nucléaire c'est la seule façon de décarboner vite",
    "le nucléaire ça émet presque pas de CO2",
    "les renouvelables c'est l'avenir",
    "l'éolien c'est intermittent, sans vent t'as rien",
    "le solaire + batteries ça coûte moins cher maintenant",
    "les déchets nucléaires on en fait quoi pendant 100 000 ans",
    "les EPR ça prend 15 ans à construire",
    "Flamanville c'est un gouffre financier",
    "l'uranium on l'importe aussi, c'est pas si souverain",
    "faut les deux, nucléaire ET renouvelables",
    "le problème c'est le stockage de l'électricité",
    "sans stockage les renouvelables tiennent pas la charge",
    "l'hydraulique c'est déjà le renouvelable numéro 1 en France",
    "les éoliennes en mer c'est super efficace",
    "le charbon en Allemagne c'est pire que tout",
    "le nucléaire c'est pilotable, l'éolien non",
    "un accident nucléaire et c'est une région entière perdue",
    "les centrales vieillissent, faut les rénover",
    "le prix de l'électricité a explosé à cause de ça",
    "les panneaux solaires c'est fabriqué en Chine",
    "la sobriété énergétique personne en parle",
    "je sais pas pourquoi on a fermé des centrales",
    "comme d'hab on parle des déchets et pas du CO2",
    "le réseau électrique doit être adapté aux renouvelables",
    "la fusion nucléaire c'est pas pour demain",
    "les SMR, les petits réacteurs, ça peut changer la donne",
    "le nucléaire a besoin de beaucoup d'eau pour refroidir",
    "en été les centrales doivent baisser la production",
    "les déchets radioactifs c'est un faux problème, c'est très peu de volume",
    "le mix énergétique français est déjà très bas carbone",
    "l'énergie renouvelable la moins chère c'est l'éolien terrestre",
    "les barrages hydroélectriques c'est le meilleur stockage",
]
NUCLEAR_QUESTIONS = [
    "c'est quoi le facteur de charge d'une éolienne ?",
    "et les déchets nucléaires on les met où ?",
    "ça coûte combien un EPR ?",
    "{g} tu penses quoi de l'hydrogène ?",
    "les renouvelables peuvent remplacer le nucléaire à 100% ?",
    "c'est quoi un SMR ?",
    "et la géothermie personne en parle ?",
    "pourquoi l'Allemagne a arrêté ses centrales ?",
    "combien de réacteurs il y a en France ?",
    "le solaire en hiver ça produit combien ?",
    "c'est dangereux d'habiter à côté d'une centrale ?",
    "on peut recycler les déchets nucléaires ?",
    "l'éolien ça tue vraiment les oiseaux ?",
    "ça dure combien de temps une batterie de stockage ?",
    "{g} le nucléaire c'est renouvelable ou pas ?",
]
NUCLEAR_REACT = [
    "bon argument",
    "pas d'accord",
    "{g} a raison",
    "elle a raison",
    "exactement",
    "d'accord avec {g}",
    "source ?",
    "c'est faux ça",
    "ça se discute",
    "merci pour les explications {g}",
    "débat intéressant",
    "très clair",
    "enfin un débat calme sur le nucléaire",
    "on apprend des trucs",
    "le débat nucléaire vs renouvelables encore",
    "{g} elle connaît son sujet",
    "les chiffres sur l'éolien m'étonnent",
    "jamais je vote pour plus de centrales",
    "team nucléaire",
    "team renouvelables",
    "team solaire",
    "team éolien",
    "le stockage c'est la clé",
    "le nucléaire c'est propre",
    "le nucléaire c'est dangereux",
]


def t_nuclear(v: Viewer) -> str:
    r = R.random()
    if r < 0.5:
        s = fill("{op} " + R.choice(NUCLEAR_CLAIMS) + "{end}")
    elif r < 0.75:
        s = fill(R.choice(NUCLEAR_QUESTIONS))
    else:
        s = fill(R.choice(NUCLEAR_REACT))
        if R.random() < 0.3:
            s += " " + R.choice(["kiwiHmm", "🤔", "Kappa", "monkaS", "", "⚛️"])
    return s.strip()


COOK_SUBJECT = [
    "les pâtes",
    "le riz",
    "les lasagnes",
    "la béchamel",
    "la sauce tomate",
    "la carbonara",
    "la recette",
    "le four",
    "le parmesan",
    "les oignons",
    "la bolo",
    "le risotto",
    "l'ail",
    "le gratin",
    "les tagliatelles",
]
COOK_LINES = [
    "{cs} ça a l'air trop bon",
    "j'ai faim maintenant",
    "la crème dans la carbonara c'est un crime",
    "combien de temps au four ?",
    "four à 180 degrés",
    "préchauffe le four d'abord !",
    "faut saler l'eau des pâtes",
    "il faut rincer le riz avant",
    "le riz au cuiseur c'est la vie",
    "pas d'huile dans l'eau des pâtes svp",
    "mets du parmesan partout",
    "les lasagnes de ma grand-mère > tout",
    "tu mets combien de couches dans les lasagnes ?",
    "c'est quoi la recette de la béchamel ?",
    "beurre, farine, lait, c'est tout pour la béchamel",
    "al dente les pâtes !!",
    "les pâtes trop cuites NON",
    "{g} elle cuisine mieux que {s}",
    "{s} coupe les oignons comme un pied",
    "il pleure avec les oignons mdr",
    "recette de la sauce tomate ?",
    "un peu de basilic frais",
    "ail et oignon la base",
    "risotto c'est avec du riz arborio",
    "riz cantonais > riz blanc",
    "le riz ça se cuit à l'absorption",
    "sortez les lasagnes du four !!",
    "ça sent bon jusqu'ici",
    "envoie une part",
    "j'en veux",
    "pâtes au beurre c'est mon plat tous les soirs",
    "vous faites la bolo avec du vin rouge ?",
    "fromage râpé ou mozzarella sur les lasagnes ?",
    "le four est pas assez chaud",
    "ça brûle !!",
    "attention ça déborde",
    "les pâtes fraîches c'est autre chose",
    "{cs} c'est la vie",
    "stream cuisine meilleur concept",
    "la recette est dans le Discord ?",
    "combien de temps de cuisson pour le riz ?",
    "10 minutes pour les pâtes",
    "sel poivre et basta",
    "une pincée de muscade dans la béchamel",
    "{s} tu sais même pas faire cuire du riz",
    "on goûte !!",
    "alors c'est bon ??",
    "note sur 10 ?",
    "mets un minuteur pour le four",
    "gratinez moi tout ça",
    "les pâtes à la carbonara sans crème svp",
]


def t_cooking(v: Viewer) -> str:
    return fill(R.choice(COOK_LINES), cs=COOK_SUBJECT)


GAME_LINES = [
    "saute !!",
    "SAUTE",
    "à gauche",
    "derrière toi !!",
    "attention au pic",
    "la lave !!",
    "le boss arrive",
    "il reste une vie",
    "plus qu'une vie monkaS",
    "checkpoint !!",
    "t'as raté le checkpoint",
    "encore raté",
    "mais non le trou",
    "il est mort",
    "RIP",
    "c'est le même saut depuis 10 min",
    "esquive !!",
    "dash dash dash",
    "trop fort ce passage",
    "clutch",
    "GG",
    "gg",
    "ez",
    "EZ Clap",
    "LETS GOOO",
    "allez allez allez",
    "le niveau est dur",
    "ce jeu c'est de la rage pure",
    "la manette va voler",
    "rage quit ?",
    "il va casser la manette",
    "laisse {g} jouer",
    "{g} joue mieux",
    "passe la manette à {g}",
    "prends le bonus",
    "y'a un secret à droite",
    "le double saut !!",
    "{s} t'es nul",
    "t'es trop nul au jeu mdr",
    "comment il a raté ça",
    "fail",
    "quel fail",
    "non mais le fail",
    "le timing !!",
    "c'est quoi ce jeu ?",
    "c'est quel jeu ?",
    "ça sort quand ce jeu ?",
    "le boss a 3 phases",
    "vise la tête",
    "le boss est à moitié",
    "il a plus de vie",
    "PogChamp",
    "monkaS monkaS",
    "le saut parfait",
    "trop propre",
    "{s} gamer",
    "la hitbox est nulle",
    "c'est le jeu qui bug",
    "skill issue",
    "le jeu est pété",
    "la musique du niveau est trop bien",
    "catJAM la musique",
    "combien de morts ?",
    "compteur de morts : beaucoup",
    "essaie par le haut",
    "prends ton temps",
    "respire {s}",
    "on y croit",
    "jamais il passe",
    "il passe cette fois",
    "tu l'as !!",
    "pourquoi il saute pas ??",
    "t'inquiète tu vas l'avoir",
    "comme la dernière fois mdr",
    "je sais pas comment il fait pour rater ça",
    "pourquoi il prend pas le bonus ?",
    "t'inquiète {s} on t'aime quand même",
    "c'est quoi ce saut",
    "comme d'hab il meurt au même endroit",
]


def t_game(v: Viewer) -> str:
    return fill(R.choice(GAME_LINES))


QA_LINES = [
    "{g} tu bosses où ?",
    "{g} tu as fait quelles études ?",
    "c'est quoi ton plat préféré {g} ?",
    "tu conseilles quoi pour devenir ingénieure ?",
    "tu reviendras sur la chaîne {g} ?",
    "{g} t'as un Twitter ou un Insta ?",
    "question pour {g} : tu joues à quoi en ce moment ?",
    "{g} comment vous vous êtes rencontrés avec {s} ?",
    "{g} tu streames aussi ?",
    "{g} tu habites où ?",
    "tu préfères le nucléaire ou le solaire {g} ?",
    "{g} t'as déjà visité une centrale ?",
    "c'est dur comme métier ?",
    "{g} tu regardes quoi comme séries ?",
    "question : c'est quoi ton jeu préféré ?",
    "{g} t'as un conseil pour les études d'ingé ?",
    "{g} tu fais du sport ?",
    "{g} team pâtes ou team riz ?",
    "{g} ton pire fail en cuisine ?",
    "tu penses quoi du chat {g} ?",
    "{g} tu as un animal ?",
    "{g} t'écoutes quoi comme musique ?",
    "est-ce que {g} peut revenir la semaine pro ?",
    "{g} tu lis quoi en ce moment ?",
    "tu as des conseils pour économiser l'électricité ?",
    "{g} c'était ton premier stream ?",
    "{g} pourquoi t'as choisi l'énergie ?",
    "{g} tu connaissais Twitch avant ?",
    "{g} tu peux dire bonjour à ma mère ? mdr",
    "tu as un livre à conseiller sur l'énergie ?",
]


def t_guest_qa(v: Viewer) -> str:
    s = fill(R.choice(QA_LINES))
    if R.random() < 0.15:
        s = "question " + s
    return s


GIVE_LINES = [
    "je participe !!",
    "je veux gagner",
    "c'est quoi le lot ?",
    "le sub goal !!",
    "plus que quelques subs",
    "on va l'atteindre le sub goal",
    "allez le sub goal",
    "c'est à quelle heure le tirage ?",
    "le giveaway c'est pour tout le monde ?",
    "faut être sub pour le giveaway ?",
    "jamais je gagne Sadge",
    "cette fois c'est moi",
    "croisez les doigts 🤞",
    "le tirage est truqué mdr",
    "je tente ma chance",
    "c'est quoi la commande pour le giveaway ?",
    "!giveaway c'est ça ?",
    "comment on participe ?",
    "les drops marchent pas chez moi",
    "j'ai eu le drop !!",
    "le drop c'est quoi ?",
    "faut lier son compte pour le drop ?",
    "objectif 100 subs on y est presque",
    "merci pour les subs gift",
    "quel est le lot du giveaway ?",
    "un casque gamer 😍",
    "qui va gagner ?",
    "bonne chance à tous",
    "je suis inscrit",
    "inscrit !",
    "c'est bon je suis dans le giveaway",
    "le stream cuisine 24h si 100 subs !!",
]


def t_giveaway(v: Viewer) -> str:
    r = R.random()
    if r < 0.45:
        return R.choice(["!giveaway", "!giveaway", "!drop", "!giveaway", "!giveaway 🍀", "!drop"])
    return fill(R.choice(GIVE_LINES))


FOOT_PSG = [
    "ici c'est Paris",
    "Paris est magique",
    "le PSG va gagner la Ligue des champions cette année",
    "l'OM c'est la Ligue Europa au mieux",
    "le Parc des Princes > Vélodrome",
    "PSG champion encore",
    "le classique c'est toujours pour Paris",
    "le PSG a le meilleur effectif",
    "allez Paris",
    "l'OM a pas gagné un titre depuis longtemps",
    "Marseille ça crie fort mais ça gagne pas",
    "PSG > OM depuis 10 ans",
    "les stats parlent pour Paris",
]
FOOT_OM = [
    "allez l'OM",
    "à jamais les premiers",
    "droit au but",
    "l'OM c'est le cœur",
    "le Vélodrome c'est une ambiance de fou",
    "le PSG achète tout",
    "Paris c'est un club sans âme",
    "Marseille champion d'Europe, Paris jamais",
    "le classique au Vélodrome c'est pour nous",
    "l'OM > PSG",
    "Paris a l'argent, Marseille a l'histoire",
    "le PSG se fait sortir chaque année en Ligue des champions mdr",
    "allez l'OM !!",
]
FOOT_NEUTRAL = [
    "ah non pas le foot",
    "le débat PSG OM encore",
    "le foot c'est nul revenez au jeu",
    "Lyon > tous",
    "qui a vu le match dimanche ?",
    "le football français c'est pas terrible",
    "l'arbitre était nul",
    "le penalty était pas valable",
    "c'était hors jeu",
    "vous avez vu le but ?",
    "team Saint-Étienne",
    "les ultras étaient chauds",
    "le mercato va être fou",
    "le foot c'est mieux en Angleterre",
    "PSG OM le débat éternel",
    "laissez le foot tranquille",
    "Ligue 1 McDo mdr",
]


def t_football(v: Viewer) -> str:
    if v.name in PSG_FANS:
        pool = FOOT_PSG * 3 + FOOT_NEUTRAL
    elif v.name in OM_FANS:
        pool = FOOT_OM * 3 + FOOT_NEUTRAL
    else:
        pool = FOOT_PSG + FOOT_OM + FOOT_NEUTRAL * 2
    return R.choice(pool)


def t_goodbyes(v: Viewer) -> str:
    base = R.choice(
        [
            "bonne nuit",
            "bonne nuit {chat}",
            "a+",
            "a+ tout le monde",
            "merci pour le stream",
            "merci pour le stream {s}",
            "merci {g}",
            "merci à {g}",
            "à la prochaine",
            "bye",
            "bye bye",
            "gg pour le stream",
            "trop bien ce stream",
            "ciao",
            "bisous",
            "à demain",
            "bonne soirée",
            "bonne soirée {chat}",
            "bonne nuiiit",
            "salut tout le monde",
            "merci pour tout",
            "à plus",
            "super stream",
            "ciao les gens",
            "je vais dormir bonne nuit",
            "merci {s} et {g}",
            "à la semaine pro",
            "vivement le prochain",
            "reviens vite {g}",
            "bonne nuit la commu",
        ]
    )
    extra = R.choice(
        [
            "",
            "",
            "",
            " kiwiLove",
            " kiwiCoeur",
            " ❤️",
            " 👋",
            " kiwiSalut",
            " kiwiLove kiwiLove",
            " <3",
            " !",
            " !!",
            " 😴",
        ]
    )
    return fill(base + extra)


# --------------------------------------------------------------------------
# background generators
# --------------------------------------------------------------------------
def b_laugh(v: Viewer) -> str:
    return fill(
        R.choice(
            [
                "mdr",
                "mdrr",
                "mdrrrrr",
                "MDRRRR",
                "ptdr",
                "ptdrrr",
                "xptdr",
                "jpp",
                "jpp 😂",
                "hahaha",
                "ahahahah",
                "LUL",
                "LUL LUL",
                "KEKW",
                "😂😂😂",
                "🤣",
                "xD",
                "mdr {s}",
                "ptdr le chat",
                "jpp de ce chat",
                "je suis mort 💀",
                "pleure de rire",
                "hahaha {g}",
                "mdr t'es sérieux",
                "ptdr j'ai recraché mon eau",
                "OMEGALUL",
                "LULW",
                "kiwiRire",
                "kiwiRire kiwiRire",
                "mdr jpp",
                "lol",
                "lmao",
            ]
        )
    )


def b_emote(v: Viewer) -> str:
    e = R.choice(CHANNEL_EMOTES * 2 + GLOBAL_EMOTES)
    return " ".join([e] * R.choice([1, 1, 1, 2, 3, 4, 6]))


CHATTER = [
    "je mange devant le stream",
    "demain j'ai cours à 8h",
    "le chat de {s} il est où ?",
    "premier stream ici, c'est cool",
    "quelqu'un connaît un bon jeu coop ?",
    "je viens de rentrer du taf",
    "vous êtes d'où ?",
    "j'ai oublié de lancer la machine à laver",
    "il fait trop chaud ce soir",
    "qui est là depuis le début ?",
    "je regarde depuis mon téléphone",
    "mon chat dort sur le clavier",
    "le planning de la semaine c'est quoi ?",
    "c'est quand le prochain stream ?",
    "je suis au lit",
    "le stream est trop chill ce soir",
    "j'adore l'ambiance",
    "{s} t'as changé de coupe ?",
    "je suis dans le train",
    "vive le vendredi soir",
    "quelqu'un a le lien du Discord ?",
    "j'ai raté le début, c'était bien ?",
    "on est combien ?",
    "c'est quoi ta config {s} ?",
    "la nouvelle cam est propre",
    "le fond vert est stylé",
    "mon premier sub bientôt",
    "je suis en pause clope",
    "ma copine regarde avec moi",
    "salut de la part de mon frère",
    "pourquoi le chat spam autant ?",
    "je sais pas ce qui se passe mdr",
    "comme d'hab le chat est en feu",
    "t'inquiète le chat est toujours comme ça",
    "c'est quoi cette emote ?",
    "pourquoi y'a pas de VOD ?",
]


def b_chatter(v: Viewer) -> str:
    return fill(R.choice(CHATTER))


def b_latecomer(v: Viewer) -> str:
    return fill(
        R.choice(
            [
                "bonsoir",
                "re",
                "re le chat",
                "bonsoir j'arrive",
                "coucou, j'ai raté quoi ?",
                "bonsoir, on parle de quoi ?",
                "salut {chat}",
                "bonsoir {s}",
                "je viens d'arriver",
                "yo, c'est quoi le programme ?",
                "hello",
                "bonsoiiir",
                "coucou tlm",
            ]
        )
    )


def b_tech(v: Viewer) -> str:
    return fill(
        R.choice(
            [
                "le son est bas",
                "on entend pas {g}",
                "le micro de {g} grésille",
                "ça lag chez vous ?",
                "ça freeze",
                "la musique est trop forte",
                "F5",
                "le stream coupe",
                "écran noir ?",
                "c'est revenu",
                "la cam de {g} ?",
                "y'a un écho",
                "le son est décalé",
                "monte le son de {g}",
                "ça va mieux",
                "re, ça avait coupé",
            ]
        )
    )


ENGLISH = [
    "hello from Canada",
    "what did I miss?",
    "this stream is so chill",
    "can someone translate pls",
    "lol",
    "W guest",
    "french twitch hits different",
    "KEKW",
    "what game is this?",
    "I don't speak french but the vibes are good",
    "is this a cooking stream now?",
    "LETS GOOO",
    "GG",
    "rip",
    "nuclear is the way tbh",
    "that quiz was easy",
    "hi chat",
    "any english speakers here?",
    "LUL",
    "good night everyone",
    "the guest is cool",
    "why is chat spamming KEKW",
]


def b_english(v: Viewer) -> str:
    return R.choice(ENGLISH)


BOT_REPLIES = {
    "!discord": "Rejoins le Discord de la commu : https://discord.kiwilive.example kiwiLove",
    "!uptime": None,
    "!planning": "📅 Planning : lundi jeux, mercredi cuisine, vendredi talk avec invité·e. Tout est sur https://kiwilive.example/planning",
    "!invite": "Ce soir l'invitée c'est Nadia (@nadia_watt), ingénieure en énergie ⚡ Allez la suivre !",
    "!jeu": "Le jeu de ce soir : Pixel Peak (jeu de plateforme indé).",
}


def b_command(v: Viewer, sec: float) -> str:
    cmd = R.choice(["!discord", "!uptime", "!planning", "!invite", "!discord", "!jeu"])
    if cmd == "!jeu" and sec < 60 * 60:
        cmd = "!planning"
    delay = R.randint(1, 4)
    if cmd == "!uptime":
        up = int(sec + delay + 180)
        reply = (
            f"@{v.name} le stream est en ligne depuis {up // 3600}h {up % 3600 // 60}min {up % 60}s"
        )
    else:
        reply = BOT_REPLIES[cmd]
        if R.random() < 0.5:
            reply = f"@{v.name} " + reply
    add(sec + delay, BOT, reply)
    return cmd


TOPIC_GEN = {
    "greetings": t_greetings,
    "nuclear": t_nuclear,
    "cooking": t_cooking,
    "quiz": None,
    "game": t_game,
    "guest_qa": t_guest_qa,
    "giveaway": t_giveaway,
    "football": t_football,
    "goodbyes": t_goodbyes,
}

QUIZ_META = [
    "trop facile",
    "j'ai eu bon !!",
    "j'avais dit ça",
    "qui mène au score ?",
    "le quiz est trop cool",
    "encore une question !",
    "j'ai triché mdr",
    "jsp du tout",
    "ah j'étais pas loin",
    "GG {g}",
    "c'était dur celle-là",
    "la prochaine question ?",
    "quiz de culture G let's go",
    "j'ai 3 sur 3",
    "j'ai tout faux Sadge",
    "{s} il connaît pas la réponse lui-même",
    "faites un quiz chaque semaine",
    "on gagne quoi au quiz ?",
    "je suis nul en géographie",
    "trop dur les questions",
    "c'est quoi le score ?",
    "la réponse était évidente",
    "bonne réponse !!",
    "mauvaise réponse mdr",
    "on a le droit à Google ?",
    "le chat est trop fort au quiz",
    "quiz de niveau CM2",
    "pourquoi c'est pas A ?",
    "je sais pas du tout",
    "c'est quoi la question ?",
    "comme au lycée",
]


def t_quiz(v: Viewer) -> str:
    return fill(R.choice(QUIZ_META))


TOPIC_GEN["quiz"] = t_quiz

BACKGROUND = [
    (b_laugh, 8),
    (b_emote, 7),
    (b_chatter, 7),
    (b_latecomer, 3),
    (b_tech, 2),
    (b_command, 2),
]


# --------------------------------------------------------------------------
# scripted events
# --------------------------------------------------------------------------
def hm(t: str) -> int:
    """'19:41:30' -> seconds since 19:00:00."""
    parts = [int(x) for x in t.split(":")] + [0]
    return (parts[0] - 19) * 3600 + parts[1] * 60 + parts[2]


def emote_flood(sec: int, emotes: list[str], n: int, span: int = 60) -> None:
    for v in pick_many(sec, n, english=None):
        e = R.choice(emotes)
        k = R.choice([1, 1, 2, 3, 3, 4, 5, 8])
        text = " ".join([e] * k)
        if R.random() < 0.15:
            text = R.choice(["", "mdr ", "AHAHA ", "nooon "]) + text
        add(sec + R.randint(0, span), v.name, text.strip())


def plus_one_wave(sec: int, seed: str, n: int) -> None:
    first = pick(sec)
    add(sec, first.name, seed)
    for v in pick_many(sec + 5, n):
        if v.name == first.name:
            continue
        text = R.choice(
            [
                "+1",
                "+1",
                "+ 1",
                "+1000",
                "+1 avec ça",
                "+1 !!",
                "+1000000",
                "grave +1",
                f"+1 @{first.name}",
                "+1 kiwiGG",
                "+1 de ouf",
                "+ 1 !",
            ]
        )
        add(sec + R.randint(3, 45), v.name, text)


def copypasta(sec: int, text: str, n: int, span: int = 100) -> None:
    users = pick_many(sec, n)
    add(sec, users[0].name, text)
    for v in users[1:]:
        t = text
        if R.random() < 0.2:
            t = t[: R.randint(len(t) // 2, len(t) - 1)].rstrip()
        add(sec + R.randint(8, span), v.name, t)


def sub_notice(sec: int, v: Viewer | str, kind: str | None = None, comment: str = "") -> None:
    name = v if isinstance(v, str) else v.name
    kind = kind or R.choice(["tier1", "tier1", "prime", "first", "streak"])
    months = R.randint(2, 26)
    if kind == "tier1":
        text = f"{name} subscribed at Tier 1. They've subscribed for {months} months! "
    elif kind == "prime":
        text = f"{name} subscribed with Prime. They've subscribed for {months} months! "
    elif kind == "first":
        text = f"{name} subscribed at Tier 1. "
    else:
        text = (
            f"{name} subscribed at Tier 1. They've subscribed for {months} months, "
            f"currently on a {R.randint(2, months)} month streak! "
        )
    add(sec, name, text + comment)
    if R.random() < 0.6:
        add(
            sec + R.randint(3, 20),
            STREAMER,
            R.choice(
                [
                    f"merci pour le sub @{name} kiwiLove",
                    f"@{name} merci beaucoup ❤️",
                    f"merci @{name} pour les {months} mois !",
                ]
            ),
        )
    for w in pick_many(sec, R.randint(0, 4)):
        add(
            sec + R.randint(2, 30),
            w.name,
            R.choice(
                [
                    "kiwiLove",
                    "kiwiLove kiwiLove",
                    "kiwiHype",
                    f"gg @{name}",
                    "kiwiCoeur kiwiCoeur kiwiCoeur",
                ]
            ),
        )


def gift_bomb(sec: int, giver: str, n: int, total: int) -> None:
    add(
        sec,
        giver,
        f"{giver} is gifting {n} Tier 1 Subs to {STREAMER}'s community! "
        f"They've gifted a total of {total} in the channel! ",
    )
    for i, v in enumerate(pick_many(sec, n + 1)):
        if v.name == giver:
            continue
        add(sec + 1 + i // 3, giver, f"{giver} gifted a Tier 1 sub to {v.name}! ")
    emote_flood(sec + 3, ["kiwiHype", "kiwiLove", "PogChamp"], 8, 40)
    add(sec + 12, STREAMER, f"MERCI @{giver} pour les {n} subs offerts !! kiwiHype kiwiHype")


def quiz_question(
    sec: int,
    question: str,
    right: list[str],
    wrong: list[str],
    n: int,
    fixed: list[tuple[str, str]] = (),
) -> None:
    add(sec, MOD, question)
    users = pick_many(sec, n)
    for v in users:
        ans = R.choice(right) if R.random() < 0.75 else R.choice(wrong)
        t = sec + int(R.expovariate(1 / 9.0)) + 2
        if R.random() < 0.1:
            ans = R.choice(["", "", "euh "]) + ans + R.choice(["", " ?", " !!", " ez", " facile"])
        # short answers: only a light chatify (no emoji/emote tail)
        if R.random() < 0.3:
            ans = ans.lower()
        add(min(t, sec + 70), v.name, ans.strip())
    for user, text in fixed:
        add(sec + R.randint(4, 20), user, text)
    add(
        sec + R.randint(40, 70),
        STREAMER,
        R.choice(
            [
                "bonne réponse pour la majorité du chat !",
                "bien joué le chat kiwiGG",
                "le chat est chaud ce soir",
            ]
        ),
    )


def fail_burst(sec: int, big: bool) -> None:
    n = 16 if big else 10
    emote_flood(sec, ["KEKW", "OMEGALUL", "LUL", "kiwiFail", "KEKW", "LULW", "pepeLaugh"], n, 50)
    for v in pick_many(sec, 6 if big else 4):
        add(
            sec + R.randint(2, 40),
            v.name,
            chatify(
                R.choice(
                    [
                        "mdr le fail",
                        "NOOON",
                        "nooooon",
                        "il est mort mdr",
                        "ptdr le saut",
                        "jpp il a sauté dans le vide",
                        "F",
                        "F",
                        "F",
                        "RIP",
                        "encore le même saut",
                        "mais comment",
                        "c'était facile pourtant",
                        "OMG le fail",
                        "clip ça !!",
                        "quelqu'un clip ?",
                        "la manette va voler",
                        "xptdr",
                    ]
                ),
                v,
            ),
        )


def win_burst(sec: int) -> None:
    emote_flood(sec, ["PogChamp", "kiwiHype", "kiwiGG", "Pog", "Clap", "EZ"], 16, 50)
    for v in pick_many(sec, 8):
        add(
            sec + R.randint(2, 45),
            v.name,
            chatify(
                R.choice(
                    [
                        "GGGGGG",
                        "GG !!",
                        "LETS GOOOO",
                        "ENFIN",
                        "il l'a fait",
                        "gg wp",
                        "le boss est mort !!",
                        "quel gamer",
                        "ouiiiiiii",
                        "trop fort",
                        "GG {s}".replace("{s}", STREAMER),
                        "je pleure de joie",
                    ]
                ),
                v,
            ),
        )


def script_events() -> None:
    # --- bot timed messages
    for m, text in [
        (
            4,
            "📢 Ce soir : talk énergie avec Nadia, cuisine, quiz et Pixel Peak ! Tapez !planning pour la semaine.",
        ),
        (20, "Rejoignez le Discord de la commu : https://discord.kiwilive.example kiwiLove"),
        (
            38,
            "Soutenez la chaîne sans payer : abonnement Prime gratuit avec Amazon Prime 👑 (lien dans la bio)",
        ),
        (55, "Rejoignez le Discord de la commu : https://discord.kiwilive.example kiwiLove"),
        (
            72,
            "🎯 Objectif subs : à 100 subs, stream cuisine de 24h avec Nadia ! Actuellement : 84/100",
        ),
        (
            90,
            "🎁 GIVEAWAY ouvert ! Tapez !giveaway pour participer, tirage à 20:34. Lot : un casque gamer. Les drops sont actifs aussi : !drop",
        ),
        (98, "Rejoignez le Discord de la commu : https://discord.kiwilive.example kiwiLove"),
    ]:
        add(m * 60 + R.randint(0, 40), BOT, text)

    # --- greetings flood at the start (many users, "bonsoir" variants)
    for v in pick_many(hm("19:01"), 28):
        add(hm("19:00:40") + int(R.expovariate(1 / 70)), v.name, chatify(t_greetings(v), v))
    add(hm("19:01:10"), STREAMER, "bonsoir le chat !! ce soir grosse émission avec Nadia kiwiLove")
    emote_flood(hm("19:02"), ["kiwiSalut", "HeyGuys", "kiwiLove"], 10, 60)

    # /me-style actions (written by the user, as downloaders do)
    add(hm("19:03:12"), "LeGrandMechant", "LeGrandMechant prépare le pop-corn 🍿")
    add(hm("19:58:40"), "potatoe_fr", "potatoe_fr se cache sous la table monkaS")
    add(hm("20:05:03"), "Ninja_Du_Dimanche", "/me danse la macarena catJAM")
    add(hm("20:41:50"), "MamieGameuse", "MamieGameuse range son écharpe de l'OM en silence")

    # --- nuclear segment
    add(
        hm("19:08:10"),
        STREAMER,
        "on commence le débat : nucléaire ou renouvelables ? donnez vos avis dans le chat",
    )
    # the guest's mic is muted at 19:13
    for v in pick_many(hm("19:13"), 12):
        add(
            hm("19:13:05") + R.randint(0, 50),
            v.name,
            chatify(
                R.choice(
                    [
                        "on entend pas Nadia",
                        "le micro de Nadia !!",
                        "micro coupé",
                        "MICRO",
                        "on entend rien",
                        "le micro de l'invitée est mute",
                        "Nadia t'es mute",
                        "@LeKiwiLive le micro de Nadia",
                        "son ???",
                        "on entend que toi kiwi",
                    ]
                ),
                v,
            ),
        )
    add(hm("19:14:02"), STREAMER, "c'est réglé pour le micro, désolé !")
    add(hm("19:14:20"), GUEST, "vous m'entendez maintenant ? 😅")
    plus_one_wave(hm("19:21:30"), "faudrait un autre débat avec un expert des renouvelables", 9)
    add(
        hm("19:16:45"),
        "DocMaboule_FR",
        "pour ceux qui veulent les chiffres : https://www.example.org/energie/rapport-2050.pdf",
    )
    add(hm("19:27:15"), "BritishBiscuit", "nuclear is the way tbh")
    emote_flood(hm("19:18:10"), ["monkaS", "kiwiHmm", "monkaS"], 7, 60)

    # --- cooking
    add(
        hm("19:30:20"),
        STREAMER,
        "place à la cuisine ! ce soir pâtes, riz et lasagnes avec Nadia 🍝",
    )
    copypasta(
        hm("19:38:40"),
        "🍝 JE SUIS LA PÂTE, JE SUIS LA SAUCE, JE SUIS LA LASAGNE 🍝 kiwiHype quatre étages de bonheur et zéro regret 🔥",
        7,
    )
    plus_one_wave(hm("19:43:10"), "faut faire un stream cuisine chaque semaine", 11)
    add(
        hm("19:36:30"),
        "Kamel_Kuisine",
        "ma recette de lasagnes si ça intéresse : https://www.example.com/recettes/lasagnes-maison",
    )
    emote_flood(
        hm("19:41:00"), ["kiwiHype", "PogChamp", "catJAM"], 12, 60
    )  # lasagne out of the oven
    add(hm("19:41:05"), STREAMER, "LES LASAGNES SORTENT DU FOUR")

    # --- quiz
    add(hm("19:45:15"), STREAMER, "QUIZ ! répondez dans le chat, premier qui a bon gagne un point")
    quiz_question(
        hm("19:46:00"),
        "❓ Question 1 : quelle est la capitale de la France ? (on commence facile)",
        [
            "Paris",
            "paris",
            "PARIS",
            "c'est Paris",
            "Paris !!",
            "Paris évidemment",
            "paris ez",
            "Paris kiwiGG",
            "Paris voyons",
        ],
        ["Lyon", "Marseille mdr", "Lyon 😤", "Bordeaux ?"],
        16,
    )
    quiz_question(
        hm("19:48:30"),
        "❓ Question 2 : en quelle année a eu lieu la prise de la Bastille ?",
        ["1789", "1789 !", "c'est 1789", "1789 ez", "14 juillet 1789", "1789 facile", "1789 ?"],
        ["1792", "1788", "1798 ?", "1515", "1515 mdr"],
        15,
    )
    quiz_question(
        hm("19:51:00"),
        "❓ Question 3 : quel gaz les plantes absorbent ? A) oxygène B) CO2 C) azote",
        ["c'est B", "réponse B", "B", "b", "la B", "BBBBB", "B kiwiGG", "B le CO2", "c'est B !!"],
        ["réponse A", "A", "c'est A non ?", "C", "réponse A"],
        17,
    )
    quiz_question(
        hm("19:53:30"),
        "❓ Question 4 : sur quel continent se trouve le Mexique ?",
        [
            "Amérique du Nord",
            "amérique du nord",
            "Amérique",
            "l'Amérique du Nord ?",
            "amerique du nord facile",
            "North America",
        ],
        ["Amérique du Sud", "Amérique centrale ?", "amerique latine", "Amérique du Sud non ?"],
        13,
        fixed=[("Marmotte_Zen", "NA"), ("guigui_tkt", "@Marmotte_Zen NA = North America ? mdr")],
    )
    quiz_question(
        hm("19:56:00"),
        "❓ Question 5 : combien de pattes a une araignée ?",
        ["8", "huit", "8 !", "c'est 8", "8 pattes", "huit évidemment"],
        ["6", "6 ?", "10", "6 non ?"],
        14,
    )
    quiz_question(
        hm("19:58:20"),
        "❓ Question 6 : qui a peint la Joconde ? A) Michel-Ange B) Picasso C) Léonard de Vinci",
        ["C", "c'est C", "réponse C", "Léonard de Vinci", "de vinci", "C ez", "la C"],
        ["réponse A", "A", "B mdr"],
        15,
    )

    # --- game
    add(hm("20:00:30"), STREAMER, "on lance Pixel Peak, préparez les KEKW")
    fail_burst(hm("20:04:20"), big=False)
    fail_burst(hm("20:09:40"), big=True)
    copypasta(
        hm("20:10:10"),
        "Il a raté le saut. Encore. Le checkpoint pleure. Le chat pleure. Même le boss a pitié. Sadge 🕯️ F dans le chat",
        6,
        80,
    )
    add(hm("20:10:45"), "Tartine_Beurre", "https://clips.twitch.tv/KiwiRateLeSautEncoreExemple")
    add(hm("20:12:08"), "Toto_Lharicot", "null")
    add(hm("20:12:15"), "Olive_Noire", "@Toto_Lharicot null toi même mdr")
    fail_burst(hm("20:13:10"), big=True)
    emote_flood(hm("20:15:00"), ["catJAM"], 9, 55)  # music of the boss level
    win_burst(hm("20:16:40"))
    gift_bomb(hm("20:17:30"), "MamieGameuse", 5, 17)
    win_burst(hm("20:19:10"))

    # --- questions to the guest
    add(hm("20:20:10"), STREAMER, "posez vos questions à Nadia, elle répond à tout !")
    add(hm("20:23:12"), TROLL, "<script>alert(1)</script>")
    add(hm("20:23:20"), MOD, f"@{TROLL} bien tenté mdr, ici c'est pas une page web")
    for v in pick_many(hm("20:23:20"), 4):
        add(
            hm("20:23:25") + R.randint(0, 30),
            v.name,
            chatify(
                R.choice(
                    [
                        "le hacker du dimanche mdr",
                        "alert(1) KEKW",
                        "il a cru quoi",
                        "ptdr l'injection",
                        "1337 h4x0r",
                        "XSS dans le chat Twitch jpp",
                    ]
                ),
                v,
            ),
        )
    plus_one_wave(hm("20:26:00"), "Nadia doit revenir sur la chaîne !!", 10)
    add(
        hm("20:27:40"),
        GUEST,
        "merci pour toutes vos questions le chat, vous êtes adorables kiwiLove",
    )

    # --- sub goal / giveaway
    for t in ["20:29:40", "20:30:30", "20:31:10", "20:31:55", "20:32:30", "20:33:00"]:
        sub_notice(
            hm(t), pick(hm(t)), comment=R.choice(["", "", "pour le sub goal !", "allez le 100 !!"])
        )
    gift_bomb(hm("20:32:10"), "Le_Vieux_Lion", 10, 35)
    add(
        hm("20:33:20"),
        BOT,
        "🎯 Objectif subs ATTEINT : 100/100 ! Stream cuisine de 24h débloqué kiwiHype",
    )
    emote_flood(hm("20:33:25"), ["kiwiHype", "PogChamp", "kiwiLove"], 14, 50)
    # giveaway entries + bot answers to some of them
    for v in pick_many(hm("20:30"), 26):
        t = hm("20:29:50") + R.randint(0, 260)
        cmd = R.choice(["!giveaway", "!giveaway", "!giveaway", "!drop"])
        add(t, v.name, cmd)
        if R.random() < 0.35:
            if cmd == "!giveaway":
                add(
                    t + R.randint(1, 3),
                    BOT,
                    f"@{v.name} tu es inscrit·e au giveaway ! Tirage à 20:34 🍀",
                )
            else:
                add(
                    t + R.randint(1, 3),
                    BOT,
                    f"@{v.name} les drops sont actifs : regarde 30 min pour le skin exclusif 😉 (lie ton compte : https://drops.kiwilive.example)",
                )
    add(
        hm("20:34:40"),
        BOT,
        "🎉 Le gagnant du giveaway est @Mathou_42 ! Bravo, contacte un modo en MP pour ton lot",
    )
    for v in pick_many(hm("20:34:45"), 12):
        add(
            hm("20:34:45") + R.randint(0, 50),
            v.name,
            chatify(
                R.choice(
                    [
                        "GG @Mathou_42",
                        "bravo @Mathou_42 !!",
                        "gg Mathou",
                        "jamais je gagne Sadge",
                        "c'est truqué mdr",
                        "bien joué @Mathou_42",
                        "Sadge",
                        "la prochaine fois",
                        "GG !!",
                    ]
                ),
                v,
            ),
        )
    add(hm("20:35:05"), "Mathou_42", "QUOI J'AI GAGNÉ ??? merciiiii kiwiLove kiwiLove")

    # --- football
    add(hm("20:36:05"), "ZizouDuDimanche", "au fait vous avez vu le PSG dimanche ?")
    emote_flood(hm("20:38:30"), ["Kappa", "kiwiHmm", "LUL"], 6, 60)

    # --- goodbyes
    add(
        hm("20:42:05"),
        STREAMER,
        "merci à tous pour ce stream, merci Nadia, bonne nuit le chat kiwiLove",
    )
    add(hm("20:42:20"), GUEST, "merci le chat, c'était super ! bonne nuit ❤️")
    emote_flood(hm("20:42:30"), ["kiwiLove", "kiwiCoeur", "kiwiSalut", "<3"], 18, 100)
    copypasta(
        hm("20:43:00"), "🥝 merci Kiwi 🥝 merci Nadia 🥝 merci le chat 🥝 à vendredi 🥝", 6, 90
    )

    # --- scattered sub notices and other one-offs
    for t in ["19:05:30", "19:22:10", "19:33:40", "19:50:10", "20:07:00", "20:24:30", "20:39:20"]:
        sub_notice(
            hm(t),
            pick(hm(t)),
            comment=R.choice(["", "", "bonsoir !", "trop bien ce stream", "kiwiLove"]),
        )
    add(hm("19:11:40"), "maple_moose_ca", "hello from Quebec! je comprends un peu le français")
    add(hm("19:31:50"), MOD, "@chocapic_addict pas de spoil du quiz stp 😉")
    add(hm("19:47:25"), STREAMER, "@Baguette_Furieuse Lyon c'est pas la capitale mdr")
    add(hm("20:02:10"), GUEST, "je vais gagner contre toi Kiwi")
    add(
        hm("19:25:40"),
        "kiwi_du_93",
        "kiwi_du_93 subscribed at Tier 1. They've subscribed for 3 months! toujours là pour le kiwi",
    )
    add(hm("19:25:52"), STREAMER, "merci @kiwi_du_93 pour les 3 mois kiwiLove")


def background_and_topics() -> None:
    for m in range(END_MIN):
        seg = segment_at(m * 60)
        base = next(r for a, b, n, r in SEGMENTS if a <= m < b)
        rate = base * RATE_SHAPE.get(m, 1.0) * R.uniform(0.8, 1.2)
        n = max(0, int(round(rate)))
        topic_share = 0.72 if seg in ("greetings", "goodbyes") else 0.6
        if seg == "quiz":
            topic_share = 0.4  # most quiz messages come from the scripted answer bursts
        for _ in range(n):
            sec = m * 60 + R.randrange(60)
            if R.random() < 0.03 and active(sec, english=True):
                v = pick(sec, english=True)
                add(sec, v.name, b_english(v))
                continue
            v = pick(sec)
            if R.random() < topic_share:
                text = TOPIC_GEN[seg](v)
                if (
                    seg in ("nuclear", "cooking", "game", "football")
                    and R.random() < 0.1
                    and RECENT
                ):
                    other = R.choice(RECENT[-10:])
                    if other != v.name:
                        text = f"@{other} " + text
            else:
                gen = R.choices([g for g, _ in BACKGROUND], weights=[w for _, w in BACKGROUND])[0]
                text = gen(v, sec) if gen is b_command else gen(v)
                if gen is b_latecomer and seg in ("greetings",):
                    text = t_greetings(v)
            if text.startswith("!"):
                add(sec, v.name, text)
            else:
                add(sec, v.name, chatify(text, v))


def main() -> None:
    background_and_topics()
    script_events()
    lines = []
    for sec, _seq, user, text in sorted(MESSAGES):
        ts = START + _dt.timedelta(seconds=sec)
        lines.append(f"[{ts:%Y-%m-%d %H:%M:%S} UTC] {user}: {text}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} messages to {OUT}")


if __name__ == "__main__":
    main()
