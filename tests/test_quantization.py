"""Quantization (Day 18): the published NF4 codebook, torch's affine int8 as the reference for int8,
brute-force nearest-level search for NF4, the analytic error bounds, and QLoRA on the course GPT and
on its transformers export (bitsandbytes has no CPU path here, so it is not a reference)."""

import copy
import io
import math
import random
import warnings

import pytest
import torch
from torch import nn

from course_lib.quantization import (
    NF4_CODEBOOK,
    absmax_dequantize,
    absmax_quantize,
    add_qlora_adapters,
    bits_per_parameter,
    dequantize_nf4,
    double_dequantize,
    double_quantize,
    fake_quantize,
    model_bytes,
    nf4_codebook_from_quantiles,
    pack_4bit,
    quantize_linears,
    quantize_nf4,
    unpack_4bit,
    zeropoint_dequantize,
    zeropoint_quantize,
)

# Typed from bitsandbytes/functional.py (get_4bit_type, "nf4") = Dettmers et al. 2023, QLoRA, appendix E.
PUBLISHED_NF4 = [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
                 -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
                 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
                 0.7229568362236023, 1.0]


def random_weight(seed: int) -> torch.Tensor:
    rng = random.Random(seed)
    shape = (rng.randint(1, 40), rng.randint(1, 70))
    gen = torch.Generator().manual_seed(seed)
    w = torch.randn(shape, generator=gen) * rng.uniform(0.01, 3) + rng.uniform(-1, 1)
    if rng.random() < 0.5:  # an outlier now and then
        w.view(-1)[rng.randrange(w.numel())] *= 50
    return w


def test_codebook_equals_the_published_values_and_the_normal_quantiles():
    assert list(NF4_CODEBOOK) == PUBLISHED_NF4
    derived = nf4_codebook_from_quantiles()
    assert derived.dtype == torch.float32 and derived.shape == (16,)
    torch.testing.assert_close(derived, torch.tensor(PUBLISHED_NF4), rtol=0, atol=1e-7)
    assert not torch.allclose(nf4_codebook_from_quantiles(0.99), torch.tensor(PUBLISHED_NF4), atol=1e-3)
    assert list(NF4_CODEBOOK).count(0.0) == 1 and sorted(NF4_CODEBOOK) == list(NF4_CODEBOOK)


def assert_same_codes(ours, theirs, ratio):
    """Equal codes, except (by one) where x / scale is within float error of a half: torch multiplies by
    1 / scale, we divide, and the two can round a near-tie differently."""
    differ = ours != theirs
    assert (ours - theirs).abs().max() <= 1
    assert ((ratio[differ].abs() % 1 - 0.5).abs() < 1e-4).all()
    assert differ.float().mean() < 1e-3


@pytest.mark.parametrize("seed", range(6))
def test_zeropoint_int8_equals_torch_quantize_per_tensor_and_per_channel(seed):
    w = random_weight(seed)
    codes, scale, zero_point = zeropoint_quantize(w)
    with warnings.catch_warnings():  # torch 2.13 deprecates its quantized tensors; still the reference here
        warnings.simplefilter("ignore")
        reference = torch.quantize_per_tensor(w, float(scale), int(zero_point), torch.quint8)
        assert_same_codes(codes, reference.int_repr().int(), w / scale)
        torch.testing.assert_close(zeropoint_dequantize(codes, scale, zero_point), reference.dequantize())
        dim = seed % 2
        codes, scale, zero_point = zeropoint_quantize(w, dim=dim)
        reference = torch.quantize_per_channel(w, scale.reshape(-1).double(), zero_point.reshape(-1).long(), dim,
                                               torch.quint8)
        assert_same_codes(codes, reference.int_repr().int(), w / scale)
        codes, scale = absmax_quantize(w, dim=dim)  # symmetric = affine with zero point 0 on qint8
        reference = torch.quantize_per_channel(w, scale.reshape(-1).double(), torch.zeros(w.shape[dim]).long(), dim,
                                               torch.qint8)
        assert_same_codes(codes.int(), reference.int_repr().int(), w / scale)


@pytest.mark.parametrize("seed", range(8))
def test_int_round_trip_stays_within_half_a_step(seed):
    w = random_weight(seed).double()
    bits = random.Random(seed).randint(2, 8)
    for dim in (None, 0, 1, -1):
        codes, scale = absmax_quantize(w, bits, dim)
        assert codes.dtype == torch.int8 and codes.abs().max() <= 2 ** (bits - 1) - 1
        assert ((absmax_dequantize(codes, scale).double() - w).abs() <= scale / 2 + 1e-6).all()
        codes, scale, zero_point = zeropoint_quantize(w, bits, dim)
        assert 0 <= codes.min() and codes.max() <= 2**bits - 1
        assert ((zeropoint_dequantize(codes, scale, zero_point).double() - w).abs() <= scale / 2 + 1e-6).all()
    # the extreme value is exact under absmax
    codes, scale = absmax_quantize(w, bits)
    i = int(w.abs().argmax())
    assert math.isclose(float(absmax_dequantize(codes, scale).view(-1)[i]), float(w.view(-1)[i]), rel_tol=1e-6)


@pytest.mark.parametrize("seed", range(8))
def test_nf4_picks_the_nearest_level_and_stays_under_its_bound(seed):
    rng = random.Random(seed)
    w = random_weight(seed)
    block_size = rng.choice([4, 16, 64, 100])
    codes, absmax = quantize_nf4(w, block_size)
    assert codes.shape == w.shape and codes.dtype == torch.uint8 and int(codes.max()) <= 15
    assert absmax.shape == (math.ceil(w.numel() / block_size),)
    flat = torch.nn.functional.pad(w.reshape(-1), (0, absmax.numel() * block_size - w.numel()))
    blocks = flat.view(-1, block_size)
    torch.testing.assert_close(absmax, blocks.abs().max(1).values)
    normalized = (blocks / absmax[:, None]).reshape(-1)[: w.numel()]
    distance = (normalized[:, None] - torch.tensor(PUBLISHED_NF4)).abs()  # (numel, 16), brute force
    chosen = distance.gather(1, codes.reshape(-1, 1).long())[:, 0]
    torch.testing.assert_close(chosen, distance.min(1).values, rtol=0, atol=1e-6)  # the nearest level (ties: either)
    restored = dequantize_nf4(codes, absmax, block_size)
    widest_gap = max(b - a for a, b in zip(PUBLISHED_NF4, PUBLISHED_NF4[1:]))
    bound = (absmax * widest_gap / 2).repeat_interleave(block_size)[: w.numel()].view(w.shape)
    assert ((restored - w).abs() <= bound + 1e-6).all()
    assert torch.equal(restored.abs().reshape(-1).max(), w.abs().max())  # each block's absmax is exact


def test_nf4_reject_bad_input():
    with pytest.raises(ValueError, match="block_size"):
        quantize_nf4(torch.randn(8), block_size=0)
    with pytest.raises(TypeError, match="int64"):
        quantize_nf4(torch.arange(8))
    with pytest.raises(ValueError, match="bits"):
        absmax_quantize(torch.randn(4), bits=9)
    with pytest.raises(ValueError, match="dim"):
        zeropoint_quantize(torch.randn(4, 3), dim=2)
    with pytest.raises(ValueError, match="blocks"):
        dequantize_nf4(torch.zeros(200, dtype=torch.uint8), torch.ones(2), 64)
    codes, absmax = quantize_nf4(torch.zeros(70))  # an all-zero block stays zero
    assert dequantize_nf4(codes, absmax).abs().max() == 0


@pytest.mark.parametrize("seed", range(4))
def test_pack_and_double_quantization_round_trip(seed):
    gen = torch.Generator().manual_seed(seed)
    n = 1 + seed * 37
    codes = torch.randint(0, 16, (n,), generator=gen, dtype=torch.uint8)
    packed = pack_4bit(codes)
    assert packed.numel() == math.ceil(n / 2) and torch.equal(unpack_4bit(packed, n), codes)
    absmax = torch.rand(300 + seed * 200, generator=gen) * 0.2 + 0.05
    q, scales, offset = double_quantize(absmax)
    assert q.dtype == torch.int8 and scales.numel() == math.ceil(absmax.numel() / 256)
    restored = double_dequantize(q, scales, offset)
    step = scales.repeat_interleave(256)[: absmax.numel()]
    assert ((restored - absmax).abs() <= step / 2 + 1e-6).all()
    assert abs(float(offset) - float(absmax.mean())) < 1e-6


def test_memory_arithmetic():
    assert bits_per_parameter(4, 64) == 4.5 and bits_per_parameter(8, None) == 8.0
    assert bits_per_parameter(4, 64, double_quant_block=256) == pytest.approx(4 + 8 / 64 + 32 / (64 * 256))
    assert bits_per_parameter(8, 128, scale_bits=16) == 8.125
    assert model_bytes(70e9, 16) == 140e9 and model_bytes(7e9, 4.5) == pytest.approx(3.9375e9)
    with pytest.raises(ValueError, match="-1"):
        model_bytes(-1, 4)


def test_nf4_linear_matches_the_dequantized_weight_on_our_gpt_and_on_transformers():
    from course_lib.pretrained import load_course_gpt

    model, _ = load_course_gpt()
    quantized = quantize_linears(copy.deepcopy(model))
    names = [n for n, m in quantized.named_modules() if type(m).__name__ == "NF4Linear"]
    assert len(names) == 28 and not any(n.endswith("lm_head") for n in names)
    saved = io.BytesIO()
    torch.save(quantized.blocks[0].attn.q_proj, saved)  # the class pickles by name
    saved.seek(0)
    reloaded = torch.load(saved, weights_only=False)
    assert torch.equal(reloaded.dequantize(), quantized.blocks[0].attn.q_proj.dequantize())
    assert quantized.lm_head.weight is quantized.tok_emb.weight  # the tied head is left alone
    layer = quantized.blocks[1].ffn.down_proj
    assert (layer.in_features, layer.out_features) == (352, 128) and layer.packed.numel() == 352 * 128 // 2
    w = model.blocks[1].ffn.down_proj.weight.detach()
    torch.testing.assert_close(layer.dequantize(), dequantize_nf4(*quantize_nf4(w)))
    ids = torch.randint(0, 1024, (2, 17), generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        ours = quantized(ids)
        assert not torch.allclose(ours, model(ids), atol=1e-4)  # 4 bits change the logits a little...
        assert (ours - model(ids)).abs().max() < 1.0  # ...but not much
        hf = quantize_linears(model.to_hf())
        assert type(hf.model.layers[0].self_attn.q_proj).__name__ == "NF4Linear"
        torch.testing.assert_close(hf(ids).logits, ours, atol=1e-4, rtol=1e-4)


def test_qlora_trains_only_the_adapters_and_keeps_the_base_4bit():
    from course_lib.pretrained import load_course_gpt

    torch.manual_seed(0)
    model, _ = load_course_gpt()
    model = add_qlora_adapters(model, ["q_proj", "v_proj"], rank=4, alpha=8)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all(".lora_A." in n or ".lora_B." in n for n in trainable)
    counted = sum(p.numel() for n, p in model.named_parameters() if n in trainable)
    assert counted == 4 * 4 * ((128 + 128) + (128 + 64))  # layers * rank * (q + v)
    wrapped = model.blocks[0].attn.q_proj
    assert type(wrapped.base).__name__ == "NF4Linear"
    packed_before = {n: b.clone() for n, b in model.named_buffers() if n.endswith(("packed", "absmax"))}
    frozen_before = {n: p.detach().clone() for n, p in model.named_parameters() if n not in trainable}
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    ids = torch.randint(0, 1024, (4, 33), generator=torch.Generator().manual_seed(0))
    losses = []
    model.train()
    for _ in range(5):
        logits = model(ids[:, :-1])
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), ids[:, 1:].flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < losses[0]
    assert all(torch.equal(b, packed_before[n]) for n, b in model.named_buffers() if n in packed_before)
    assert all(torch.equal(p, frozen_before[n]) for n, p in model.named_parameters() if n in frozen_before)
    assert wrapped.lora_B.weight.abs().max() > 0
    merged = wrapped.merge()
    x = torch.randn(3, 128)
    torch.testing.assert_close(merged(x), wrapped(x), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("seed", range(4))
def test_fake_quantize_composes_the_quantizers(seed):
    rng = random.Random(seed)
    gen = torch.Generator().manual_seed(seed)
    w = torch.randn(rng.randint(2, 20), 64 * rng.randint(1, 3), generator=gen) * rng.uniform(0.01, 1)
    bits = rng.randint(2, 8)
    torch.testing.assert_close(fake_quantize(w, "absmax", bits, "channel"),
                               absmax_dequantize(*absmax_quantize(w, bits, dim=0)))
    torch.testing.assert_close(fake_quantize(w, "zero-point", bits, "tensor"),
                               zeropoint_dequantize(*zeropoint_quantize(w, bits)))
    blocks = w.reshape(-1, 64)
    torch.testing.assert_close(fake_quantize(w, "zero-point", bits, "block"),
                               zeropoint_dequantize(*zeropoint_quantize(blocks, bits, dim=0)).view(w.shape))
    torch.testing.assert_close(fake_quantize(w, "normal-float", 4, "block"), dequantize_nf4(*quantize_nf4(w, 64)))
    levels = nf4_codebook_from_quantiles(None, bits)
    assert levels.numel() == 2**bits and levels[0] == -1 and levels[-1] == 1 and (levels == 0).sum() == 1
    restored = fake_quantize(w, "normal-float", bits, "tensor")
    gaps = (restored.reshape(-1, 1) / w.abs().max() - levels).abs().min(dim=1).values
    assert gaps.max() < 1e-5  # every value is a level times the tensor's absmax
    # more bits never hurt on average
    errors = [float((fake_quantize(w, "normal-float", b, "block") - w).abs().mean()) for b in range(2, 9)]
    assert errors == sorted(errors, reverse=True)
    with pytest.raises(ValueError, match="'fp4'"):
        fake_quantize(w, "fp4", 4, "block")
