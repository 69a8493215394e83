"""Beam search speed: course_lib's beam_search vs transformers' generate(num_beams=...) on the course GPT.

Same weights, same beams (asserted), timed in the same run; prints the ratio. Ours reruns every beam over
the whole context at each step (no KV cache); transformers uses its cache unless --no-cache.

    python benchmarks/bench_beam.py [--beams 4] [--tokens 40] [--repeats 3] [--no-cache]
"""

from __future__ import annotations

import argparse

from _timing import best_time


def main() -> None:
    import torch
    from transformers import GenerationConfig

    from course_lib.generation.beam import beam_search
    from course_lib.pretrained import load_course_gpt

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--tokens", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args()

    model, tokenizer = load_course_gpt()
    hf = model.to_hf().eval()
    ids = torch.tensor([tokenizer.encode("Attention lets each token")])
    config = GenerationConfig(num_beams=args.beams, num_return_sequences=args.beams, do_sample=False,
                              max_new_tokens=args.tokens, eos_token_id=None, pad_token_id=0, bos_token_id=None,
                              use_cache=not args.no_cache)

    def ours():
        return beam_search(model, ids, args.beams, args.tokens).sequences

    def theirs():
        with torch.no_grad():
            return hf.generate(ids, generation_config=config, attention_mask=torch.ones_like(ids))

    assert torch.equal(ours(), theirs()), "the two searches disagree"
    timings = {}
    for name, fn in (("course_lib", ours), ("transformers", theirs)):
        timings[name] = best = best_time(fn, args.repeats)
        print(f"{name:13s} {best * 1000:8.1f} ms  ({args.beams} beams, {args.tokens} tokens, best of {args.repeats})")
    print(f"ratio course_lib / transformers: {timings['course_lib'] / timings['transformers']:.2f}"
          f" (transformers cache: {not args.no_cache}; torch threads: {torch.get_num_threads()})")


if __name__ == "__main__":
    main()
