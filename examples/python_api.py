"""The README's "Python" section as a script: `python examples/python_api.py` (from the
repository root; writes demo_stream.twitchtopics/ and demo_bertopic/ in the current folder).

1. the default pipeline on a log, a window report from the saved bundle;
2. the seed's recipe (UMAP + seconds/600 + HDBSCAN) as objects, on a DataFrame;
3. an embedder of your own;
4. the bundle exported to BERTopic (opened with BERTopic when it is installed).
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

from twitchtopics import ChatTopics, export_bertopic, load_bundle, read_log, window_report

LOG = Path(__file__).with_name("demo_stream.txt")


class CharacterEmbedder:
    """Your own model: a name and encode(list[str]) -> one row per text."""

    name = "char-bigrams"

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 512), dtype=np.float32)
        for row, text in enumerate(texts):
            for i in range(len(text) - 1):  # a real model goes here
                out[row, zlib.crc32(text[i : i + 2].encode()) % 512] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def main() -> None:
    log = read_log(LOG)
    model = ChatTopics(random_state=42).fit(log)
    print(
        model.topic_info()[["Topic", "Count", "Name", "Category", "Keywords"]].head(4).to_string()
    )
    model.save("demo_stream.twitchtopics")
    report = window_report(load_bundle("demo_stream.twitchtopics"), "19:30-19:45", top=3)
    for row in report["groups"]:
        print(row["rank"], row["count"], row["label"], "|", row["representative"])

    from hdbscan import HDBSCAN
    from umap import UMAP

    chat = log.messages[["time", "user", "text"]]  # any DataFrame of chat
    seed = ChatTopics(
        clusterer=HDBSCAN(min_cluster_size=5, min_samples=1, cluster_selection_epsilon=0.5),
        reducer=UMAP(
            n_neighbors=100, n_components=10, min_dist=0.99, metric="cosine", random_state=42
        ),
        time_scale=600,
    ).fit(chat)
    counts = seed.meta_["counts"]
    print(counts["groups"], "groups,", counts["outliers"], "outliers")
    own = ChatTopics(embedder=CharacterEmbedder(), random_state=42).fit(chat)
    print(own.meta_["model"], own.meta_["counts"]["groups"], "groups")

    folder = export_bertopic("demo_stream.twitchtopics", "demo_bertopic")
    try:
        from bertopic import BERTopic
    except ImportError:
        print(f"{folder} written; pip install 'twitchtopics[bertopic]' to open it")
        return
    print(BERTopic.load(str(folder)).get_topic_info()[["Topic", "Count", "Name"]].head(4))


if __name__ == "__main__":
    main()
