"""Tiny local text-generation models for the `--labeler PATH` tests, built in a test's own
folder in about a second: a byte-level BPE tokenizer trained on a few strings (`tokenizers`)
and a randomly initialised GPT-2 or BART of a few thousand weights. Nothing is downloaded.

`answer` makes the model say one fixed text whatever the prompt: the text is added to the
vocabulary as one token and the weights are set so that it is always the most likely next
token (GPT-2: the final layer norm outputs a constant vector that only this token's
embedding points along; BART: a large bias on this token's logit). Greedy decoding then
repeats it until `max_new_tokens`, so an answer ending in a newline gives one clean line.
Without `answer` the weights stay random and the answer is noise.
"""

from __future__ import annotations

from pathlib import Path

WORDS = ["bonsoir le chat", "les pâtes carbonara", "nucléaire ou éolien", "Title: Keywords"]


def tiny_model(folder: Path, answer: str | None = None, *, kind: str = "gpt2") -> Path:
    """Write a tiny model folder (config.json, weights, tokenizer) and return it."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import AddedToken, PreTrainedTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        special_tokens=["<unk>", "<pad>", "<s>", "</s>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    bpe.train_from_iterator(WORDS * 5, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        unk_token="<unk>",
        pad_token="<pad>",
        bos_token="<s>",
        eos_token="</s>",
    )
    target = None
    if answer is not None:
        tokenizer.add_tokens([AddedToken(answer, normalized=False, special=False)])
        target = tokenizer.convert_tokens_to_ids(answer)
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    special = {
        "vocab_size": len(tokenizer),
        "pad_token_id": tokenizer.pad_token_id,
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
    }
    if kind == "gpt2":
        from transformers import GPT2Config, GPT2LMHeadModel

        config = GPT2Config(n_positions=256, n_embd=16, n_layer=1, n_head=2, **special)
        model = GPT2LMHeadModel(config)
        if target is not None:
            with torch.no_grad():
                model.transformer.ln_f.weight.zero_()
                model.transformer.ln_f.bias.fill_(1.0)
                model.transformer.wte.weight[target] = 1.0
    else:
        from transformers import BartConfig, BartForConditionalGeneration

        config = BartConfig(
            d_model=16,
            encoder_layers=1,
            decoder_layers=1,
            encoder_attention_heads=2,
            decoder_attention_heads=2,
            encoder_ffn_dim=32,
            decoder_ffn_dim=32,
            max_position_embeddings=256,
            decoder_start_token_id=tokenizer.eos_token_id,
            forced_eos_token_id=None,
            **special,
        )
        model = BartForConditionalGeneration(config)
        if target is not None:
            with torch.no_grad():
                model.final_logits_bias[0, target] = 1000.0
    model.save_pretrained(folder)
    return folder
