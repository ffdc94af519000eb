"""`twitchtopics train CORPUS...`: train a chat encoder that `cluster --model` can use."""

from __future__ import annotations

from pathlib import Path

import click

from twitchtopics.cli._common import one_line_errors


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder: a sentence-transformers model (with _work/ and training.json).",
)
@click.option(
    "--preset",
    type=click.Choice(["tiny", "small"]),
    default="tiny",
    show_default=True,
    help="tiny: minutes on a laptop; small: the method's ConvBERT-small (wants a GPU).",
)
@click.option(
    "--base",
    type=click.Choice(["minilm"]),
    default=None,
    help="Adapt the packaged all-MiniLM-L6-v2 with SimCSE instead of training from scratch.",
)
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    default=None,
    help="Passes over the corpus in MLM pre-training (with --base: in SimCSE). Default: the preset's.",
)
@click.option(
    "--max-messages",
    type=click.IntRange(min=1),
    default=None,
    help="Use at most this many distinct messages (a seeded random sample).",
)
@click.option("--device", default="cpu", show_default=True, help="cpu or cuda.")
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--resume", is_flag=True, help="Continue an interrupted run in --out.")
@click.option("--overwrite", is_flag=True, help="Delete a previous run in --out and start again.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@one_line_errors
def train(
    inputs: tuple[Path, ...],
    out: Path,
    preset: str,
    base: str | None,
    epochs: int | None,
    max_messages: int | None,
    device: str,
    seed: int,
    resume: bool,
    overwrite: bool,
    quiet: bool,
) -> None:
    """Train a sentence encoder on chat logs (any format `cluster` reads) or text files with
    one message per line; then `twitchtopics cluster LOG --model OUT`."""
    from twitchtopics.train.encoder import train_encoder

    report = train_encoder(
        list(inputs),
        out,
        preset=preset,
        base=base,
        epochs=epochs,
        max_messages=max_messages,
        device=device,
        seed=seed,
        resume=resume,
        overwrite=overwrite,
        progress=not quiet,
    )
    corpus = report["corpus"]
    timings = report["timings"]
    click.echo(
        f"{out}: {report['model']['architecture']}, {report['model']['dimension']}-d, "
        f"trained on {corpus['used']} distinct messages in {timings['total_s'] / 60:.1f} min"
    )
