"""Who writes each group's label: the built-in phrase (`labels.py`) or a local model.

A *labeler* is any object with a ``name`` and ``label(topic) -> str | None``: it sees a
group's topics.json entry (keywords, representatives, category, answers, the phrase label)
and returns a label, or None to keep the phrase label. ``apply_labeler`` runs it on every
group, cleans what it returns (``clean_label``) and records in each entry's ``label_source``
who made the label: the labeler's name, or ``"phrase"`` when the phrase label was kept.

``ModelLabeler`` is the optional one (``twitchtopics cluster LOG --labeler PATH``): a local
text-generation model folder (a transformers causal LM or sequence-to-sequence model with its
tokenizer; an instruction-tuned one gives readable titles), loaded with
``local_files_only=True`` on the CPU: nothing is ever downloaded and no remote code runs.
It is prompted with the group's keywords, tally and most typical messages and asked for a
2-6 word title; decoding is greedy, so the same model and group give the same label, and
the raw answers are cached (``cache/labels.py``, keyed by the model's fingerprint and the
prompt). An answer that holds no usable 2-6 word line falls back to the phrase label.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from twitchtopics.chat.tokens import STOP_WORDS
from twitchtopics.describe.labels import MAX_LABEL_CHARS, MAX_WORDS
from twitchtopics.errors import MissingExtraError, ModelError, OptionError
from twitchtopics.progress import StageProgress
from twitchtopics.safe_output import sanitize_terminal

__all__ = [
    "PHRASE",
    "ModelLabeler",
    "PhraseLabeler",
    "apply_labeler",
    "build_prompt",
    "check_model_folder",
    "clean_label",
]

PHRASE = "phrase"
"""``label_source`` of the built-in label (the best phrase chatters wrote, `labels.py`)."""
MIN_WORDS = 2
PROMPT_KEYWORDS = 8
PROMPT_MESSAGES = 5
PROMPT_MESSAGE_CHARS = 120
"""A chat line longer than this says its topic in its first 120 characters; five of them and
the keywords keep a prompt near 250 tokens, so a 0.5B model on two cores answers in ~1 s."""
MAX_NEW_TOKENS = 20
"""Six words are ~8-12 tokens in the usual BPE vocabularies; 20 leaves room for a prefix
("Title:") and quotes, and stops a rambling model early."""
PROMPT_TOKEN_LIMIT = 1024
"""Longest prompt sent (tokens); fewer messages are sent when a prompt is longer."""

INSTRUCTION = (
    "Write a short title of 2 to 6 words saying what this group of Twitch chat messages "
    "is about. Reply with the title only, on one line."
)
_PREFIX = re.compile(r"^\s*(?:title|label|topic|titre|sujet)\s*[:：\-–]\s*", re.IGNORECASE)
_ECHO = re.compile(r"^\s*(?:keywords|messages|answers|write a short title)\b", re.IGNORECASE)
_EDGES = " \t'*_#~-•·.,:;!?‘’()[]{}"
_NO_QUOTES = str.maketrans("", "", '"`«»“”„')


class PhraseLabeler:
    """The default labeler: keeps the phrase label the describer made (`labels.py`)."""

    name = PHRASE

    def label(self, topic: dict[str, Any]) -> str | None:
        return None


def apply_labeler(
    topics: list[dict[str, Any]], labeler: Any, *, progress: StageProgress | None = None
) -> None:
    """Give every topic the label `labeler` writes, cleaned (`clean_label`), and its
    ``label_source``; the phrase label stays where the labeler gives nothing usable."""
    progress = progress or StageProgress()
    progress.total(len(topics))
    name = str(getattr(labeler, "name", None) or type(labeler).__name__)
    for topic in topics:
        written = None if isinstance(labeler, PhraseLabeler) else labeler.label(topic)
        label = clean_label(written) if isinstance(written, str) else None
        if label:
            topic["label"] = label
            topic["label_source"] = name
        else:
            topic["label_source"] = PHRASE
        progress.update()


def _printable(text: str) -> str:
    """``text`` without terminal escape sequences, control, format (bidi overrides,
    zero-width), private-use or unassigned characters: a model's answer is shown in
    terminals, HTML and the PNG."""
    return "".join(
        " " if unicodedata.category(ch) == "Cc" else ch
        for ch in sanitize_terminal(text)
        if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn")
    )


def clean_label(answer: str) -> str | None:
    """A label from a model's answer: its first non-empty line, without a ``Title:`` prefix,
    quotes or list marks, cut to `MAX_WORDS` words (and trailing stop words, "talk about
    food and") and `MAX_LABEL_CHARS` characters; None when it has fewer than 2 words, no
    letter, or echoes the prompt."""
    line = next((s for s in (_printable(x).strip() for x in answer.splitlines()) if s), "")
    if not line or _ECHO.match(line):
        return None
    line = _PREFIX.sub("", line.translate(_NO_QUOTES)).strip(_EDGES)
    words = [w for w in line.split() if w.strip(_EDGES)][:MAX_WORDS]
    while len(words) > MIN_WORDS and words[-1].strip(_EDGES).casefold() in STOP_WORDS:
        words.pop()
    if words:
        words[-1] = words[-1].rstrip(_EDGES)
    if len(words) < MIN_WORDS or not any(ch.isalpha() for ch in "".join(words)):
        return None
    text = " ".join(words)
    if len(text) > MAX_LABEL_CHARS:
        text = text[: MAX_LABEL_CHARS - 1].rstrip() + "…"
    return text


def _one_line(text: object, limit: int) -> str:
    line = " ".join(_printable(str(text)).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def build_prompt(topic: dict[str, Any], messages: int = PROMPT_MESSAGES) -> str:
    """The instruction, then the group's keywords, tally and first `messages` typical
    messages, one line each (chat text is cut and stripped of control characters)."""
    keywords = [_one_line(k[0], 40) for k in (topic.get("keywords") or [])[:PROMPT_KEYWORDS]]
    lines = [INSTRUCTION, ""]
    if keywords:
        lines.append("Keywords: " + ", ".join(keywords))
    answers = topic.get("answers") or []
    if answers:
        lines.append("Answers: " + ", ".join(f"{_one_line(a, 40)} ({n})" for a, n in answers[:5]))
    reps = [_one_line(r, PROMPT_MESSAGE_CHARS) for r in (topic.get("representatives") or [])]
    if reps[:messages]:
        lines.append("Messages:")
        lines.extend(f"- {r}" for r in reps[:messages])
    return "\n".join(lines)


def check_model_folder(path: str | Path) -> Path:
    """The folder of a `--labeler PATH`, checked without loading anything (one-line errors):
    it exists, is a folder, holds a ``config.json``, and transformers is installed."""
    folder = Path(path).expanduser()
    if not folder.exists():
        raise OptionError(f"--labeler {path}: no such folder")
    if not folder.is_dir():
        raise OptionError(f"--labeler {path}: not a folder (give a local model folder)")
    if not (folder / "config.json").is_file():
        raise OptionError(f"--labeler {path}: no config.json (not a transformers model folder)")
    from twitchtopics.extras import _find

    if _find("transformers") is None or _find("torch") is None:
        raise MissingExtraError(
            f"--labeler {path} needs transformers and torch (not installed): "
            "pip install transformers torch"
        )
    return folder


@contextmanager
def _quiet_transformers(transformers: Any) -> Iterator[None]:
    """No "Loading weights" bar or load report on stderr (the stage line says it), and
    transformers' own settings as they were afterwards."""
    logging = transformers.utils.logging
    bars, verbosity = logging.is_progress_bar_enabled(), logging.get_verbosity()
    logging.disable_progress_bar()
    logging.set_verbosity_error()
    try:
        yield
    finally:
        logging.set_verbosity(verbosity)
        if bars:
            logging.enable_progress_bar()


class ModelLabeler:
    """Labels written by a local text-generation model (module doc); loads it at once, so a
    folder transformers cannot load fails before any log is embedded."""

    def __init__(self, path: str | Path, *, cache_dir: str | Path | None = None) -> None:
        from twitchtopics.embed.embedders import _folder_fingerprint

        self.path = check_model_folder(path)
        self.name = f"model:{self.path.resolve().name}"
        self.fingerprint = f"labeler:{_folder_fingerprint(self.path)}"
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._load()

    def _load(self) -> None:
        try:
            import torch
            import transformers
        except ImportError as exc:  # a broken install: find_spec saw it, import fails
            raise MissingExtraError(f"--labeler {self.path}: {exc}") from None
        try:
            config = transformers.AutoConfig.from_pretrained(self.path, local_files_only=True)
            self.seq2seq = bool(getattr(config, "is_encoder_decoder", False))
            auto = (
                transformers.AutoModelForSeq2SeqLM
                if self.seq2seq
                else transformers.AutoModelForCausalLM
            )
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(
                self.path, local_files_only=True
            )
            with _quiet_transformers(transformers):
                self.model = auto.from_pretrained(
                    self.path, local_files_only=True, dtype=torch.float32
                )
        except Exception as exc:  # transformers raises OSError, ValueError, KeyError...
            reason = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise ModelError(
                f"--labeler {self.path}: not a text-generation model transformers can load "
                f"({reason})"
            ) from None
        self.model.to("cpu").eval()
        eos = self.tokenizer.eos_token_id
        if eos is None:
            eos = getattr(self.model.generation_config, "eos_token_id", None)
        pad = self.tokenizer.pad_token_id
        self.generation = transformers.GenerationConfig(
            do_sample=False,  # greedy: the same model and prompt, the same label
            num_beams=1,
            max_new_tokens=MAX_NEW_TOKENS,
            eos_token_id=eos,
            pad_token_id=pad if pad is not None else eos,
        )
        if self.seq2seq:
            start = getattr(self.model.generation_config, "decoder_start_token_id", None)
            self.generation.decoder_start_token_id = start

    def label(self, topic: dict[str, Any]) -> str | None:
        """The model's answer for this group (module doc); cleaned by `apply_labeler`."""
        return self.answer(self.prompt(topic))

    def prompt(self, topic: dict[str, Any]) -> str:
        """The text the model sees: `build_prompt`, in the model's chat template when it has
        one, else followed by ``Title:``; fewer messages when it is over the token limit."""
        limit = min(PROMPT_TOKEN_LIMIT, self._max_positions() - MAX_NEW_TOKENS)
        for messages in range(PROMPT_MESSAGES, -1, -1):
            text = self._framed(build_prompt(topic, messages))
            if len(self.tokenizer(text)["input_ids"]) <= limit or messages == 0:
                return text
        raise AssertionError("unreachable")

    def _framed(self, instruction: str) -> str:
        if getattr(self.tokenizer, "chat_template", None):
            return str(
                self.tokenizer.apply_chat_template(
                    [{"role": "user", "content": instruction}],
                    tokenize=False,
                    add_generation_prompt=True,
                )
            )
        return f"{instruction}\nTitle:"

    def _max_positions(self) -> int:
        config = self.model.config
        for name in ("max_position_embeddings", "n_positions", "n_ctx"):
            value = getattr(config, name, None)
            if isinstance(value, int) and value > MAX_NEW_TOKENS:
                return value
        return PROMPT_TOKEN_LIMIT + MAX_NEW_TOKENS

    def answer(self, prompt: str) -> str:
        """The model's raw answer to `prompt`, from the cache when it holds it."""
        from twitchtopics.cache.labels import load_answer, save_answer

        if self.cache_dir is not None:
            cached = load_answer(self.cache_dir, self.fingerprint, prompt)
            if cached is not None:
                return cached
        answer = self._generate(prompt)
        if self.cache_dir is not None:
            save_answer(self.cache_dir, self.fingerprint, prompt, answer)
        return answer

    def _generate(self, prompt: str) -> str:
        import torch

        limit = min(PROMPT_TOKEN_LIMIT, self._max_positions() - MAX_NEW_TOKENS)
        inputs = self.tokenizer(prompt, return_tensors="pt")
        ids = inputs["input_ids"][:, -limit:]
        mask = inputs["attention_mask"][:, -limit:] if "attention_mask" in inputs else None
        try:
            with torch.no_grad():
                out = self.model.generate(
                    input_ids=ids, attention_mask=mask, generation_config=self.generation
                )
        except Exception as exc:
            reason = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise ModelError(f"--labeler {self.path}: generation failed ({reason})") from None
        new = out[0] if self.seq2seq else out[0, ids.shape[1] :]
        return str(self.tokenizer.decode(new, skip_special_tokens=True))
