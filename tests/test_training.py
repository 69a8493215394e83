"""course_lib.training: packing and padding, the schedule, the optimizer, the loop, checkpoints."""

from __future__ import annotations

import math
import random

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_lib.training import (IGNORE_INDEX, TrainConfig, evaluate, get_batch, load_checkpoint, lr_at,
                                 make_optimizer, pack, pad, plot_loss_curve, save_checkpoint, train)


class TinyLM(nn.Module):
    """A small causal model: embeddings, a running mean over the past, dropout, a norm and a head."""

    def __init__(self, vocab_size: int = 23, d: int = 16, dropout: float = 0.1):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, d)
        self.mix = nn.Linear(2 * d, d)
        self.drop = nn.Dropout(dropout)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab_size)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        x = self.emb(idx)  # (B, T, d)
        past = x.cumsum(1) / torch.arange(1, idx.shape[1] + 1).view(1, -1, 1)  # causal mean
        return self.head(self.norm(self.drop(torch.relu(self.mix(torch.cat([x, past], -1))))))


def _documents(rng: random.Random, n: int, vocab: int = 23, longest: int = 30) -> list[list[int]]:
    return [[rng.randrange(1, vocab) for _ in range(rng.randrange(0, longest))] for _ in range(n)]


# ---------------------------------------------------------------- packing and padding

def test_pack_and_pad_count_by_hand():
    docs = [[1, 2, 3, 4, 5], [6], [7, 8, 9, 10, 11, 12, 13]]  # with eos: 6 + 2 + 8 = 16 ids
    packed = pack(docs, block_size=4, eos_id=0)
    assert packed.inputs.shape == (3, 4) and packed.wasted == 16 - (3 * 4 + 1) == 3 and packed.tokens == 16
    assert packed.inputs[1].tolist() == [5, 0, 6, 0] and packed.targets[1].tolist() == [0, 6, 0, 7]
    padded = pad(docs, block_size=4, eos_id=0, pad_id=99)
    # targets per document = its length: 5 -> rows of 4 + 1; 1 -> 1; 7 -> 4 + 3
    assert padded.inputs.shape == (5, 4) and padded.wasted == 3 + 3 + 1 == 7
    assert padded.inputs[1].tolist() == [5, 99, 99, 99] and padded.targets[1].tolist() == [0, -100, -100, -100]
    assert padded.inputs[2].tolist() == [6, 99, 99, 99] and padded.targets[2].tolist() == [0, -100, -100, -100]
    assert int(padded.mask.sum()) == 5 + 1 + 7


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_pack_and_pad_random(seed):
    rng = random.Random(seed)
    docs, block = _documents(rng, rng.randrange(1, 30)), rng.randrange(1, 17)
    stream = [t for d in docs for t in (*d, 0)]
    packed = pack(docs, block, eos_id=0)
    n = packed.inputs.shape[0]
    assert n == (len(stream) - 1) // block and packed.wasted == len(stream) - (n * block + 1 if n else 0)
    assert packed.inputs.flatten().tolist() == stream[: n * block]
    assert packed.targets.flatten().tolist() == stream[1: n * block + 1]
    padded = pad(docs, block, eos_id=0, pad_id=0)
    assert int(padded.mask.sum()) == sum(len(d) for d in docs)  # every document id after the first is a target
    assert padded.wasted == padded.mask.numel() - int(padded.mask.sum())
    assert padded.inputs.shape[0] == sum(math.ceil(len(d) / block) for d in docs)
    # each row's targets are its inputs shifted by one, inside one document
    for x, y, m in zip(padded.inputs.tolist(), padded.targets.tolist(), padded.mask.tolist()):
        k = sum(m)
        assert y[:k - 1] == x[1:k] and y[k:] == [IGNORE_INDEX] * (block - k)


def test_masked_loss_equals_the_mean_over_real_tokens():
    torch.manual_seed(0)
    data = pad(_documents(random.Random(5), 8), block_size=7, eos_id=0)
    logits = torch.randn(*data.inputs.shape, 23, dtype=torch.float64)
    ours = F.cross_entropy(logits.flatten(0, 1), data.targets.flatten(), ignore_index=IGNORE_INDEX)
    logp = logits.log_softmax(-1)
    by_hand = [-logp[i, t, data.targets[i, t]] for i, t in zip(*torch.nonzero(data.mask, as_tuple=True))]
    torch.testing.assert_close(ours, torch.stack(by_hand).mean())


def test_bad_input():
    with pytest.raises(ValueError, match="0"):
        pack([[1, 2]], block_size=0, eos_id=0)
    with pytest.raises(TypeError, match="str"):
        pad("some text", block_size=4, eos_id=0)
    with pytest.raises(ValueError, match="warmup_steps"):
        TrainConfig(max_steps=10, warmup_steps=11)
    with pytest.raises(ValueError, match="min_lr"):
        TrainConfig(lr=1e-3, min_lr=1e-2)
    with pytest.raises(ValueError, match="no training blocks"):
        get_batch(pack([[1]], block_size=8, eos_id=0), TrainConfig(block_size=8), 0)


# ---------------------------------------------------------------- schedule and optimizer

@pytest.mark.parametrize("seed", range(5))
def test_schedule_matches_torch_schedulers(seed):
    rng = random.Random(seed)
    warmup, steps = rng.randrange(2, 30), rng.randrange(40, 300)
    peak = 10 ** rng.uniform(-4, -2)
    config = TrainConfig(max_steps=steps, warmup_steps=warmup, lr=peak, min_lr=peak * rng.uniform(0, 0.5))
    param = nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=config.lr)
    warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1 / warmup, end_factor=1.0, total_iters=warmup - 1)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps - warmup, eta_min=config.min_lr)
    schedule = torch.optim.lr_scheduler.SequentialLR(opt, [warm, cosine], milestones=[warmup])
    theirs = []
    for _ in range(steps):
        theirs.append(opt.param_groups[0]["lr"])
        opt.step()
        schedule.step()
    ours = [lr_at(s, config) for s in range(steps)]
    torch.testing.assert_close(torch.tensor(ours, dtype=torch.float64), torch.tensor(theirs, dtype=torch.float64),
                               rtol=1e-6, atol=1e-12)
    assert max(ours) == pytest.approx(peak) and ours[warmup - 1] == pytest.approx(peak)
    assert lr_at(steps, config) == pytest.approx(config.min_lr)


def test_weight_decay_only_on_matrices():
    model = TinyLM()
    opt = make_optimizer(model, TrainConfig(weight_decay=0.3))
    decayed, plain = opt.param_groups
    assert decayed["weight_decay"] == 0.3 and plain["weight_decay"] == 0.0
    assert {id(p) for p in decayed["params"]} == {id(p) for p in model.parameters() if p.dim() == 2}
    assert {id(p) for p in plain["params"]} == {id(model.norm.weight), id(model.norm.bias), id(model.mix.bias),
                                                 id(model.head.bias)}


# ---------------------------------------------------------------- the loop and checkpoints

def _data(seed: int = 0):
    rng = random.Random(seed)
    pattern = [rng.randrange(1, 23) for _ in range(9)]  # a repeated motif the model can learn
    docs = [[pattern[(i + j) % 9] for j in range(rng.randrange(5, 40))] for i in range(60)]
    return pack(docs[:50], 12, eos_id=0), pack(docs[50:], 12, eos_id=0)


def test_loss_decreases_on_a_tiny_model():
    torch.manual_seed(0)
    train_data, val_data = _data()
    model = TinyLM(dropout=0.0)
    config = TrainConfig(max_steps=80, batch_size=8, block_size=12, lr=1e-2, min_lr=1e-3, warmup_steps=8,
                         eval_interval=20)
    before = evaluate(model, val_data, config)
    log = train(model, train_data, val_data, config, progress=False)
    assert log["steps"] == list(range(1, 81)) and log["val_steps"] == [20, 40, 60, 80]
    assert log["val_loss"][-1] < 0.5 * before and log["val_loss"][-1] < math.log(23) / 2
    assert sum(log["loss"][-10:]) < sum(log["loss"][:10])
    assert log["lr"] == [lr_at(s, config) for s in range(80)] and log["tokens_per_s"] > 0


@pytest.mark.parametrize("k", [1, 7])
def test_resume_gives_identical_weights(tmp_path, k):
    train_data, val_data = _data(1)
    config = TrainConfig(max_steps=12, batch_size=4, block_size=12, warmup_steps=3, eval_interval=5, lr=5e-3)
    torch.manual_seed(0)
    whole = TinyLM()  # dropout on: masks must also replay
    init = {n: p.clone() for n, p in whole.state_dict().items()}
    log_whole = train(whole, train_data, val_data, config, progress=False)

    first = TinyLM()
    first.load_state_dict(init)
    train(first, train_data, val_data, config, until=k, checkpoint_dir=tmp_path / "ckpt", progress=False)
    resumed = TinyLM()  # a different initialisation: everything must come from the checkpoint
    log_resumed = train(resumed, train_data, val_data, config, resume_from=tmp_path / "ckpt", progress=False)
    for name, value in whole.state_dict().items():
        assert torch.equal(value, resumed.state_dict()[name]), name
    assert log_resumed["loss"] == log_whole["loss"] and log_resumed["val_loss"] == log_whole["val_loss"]


def test_checkpoint_round_trip(tmp_path):
    torch.manual_seed(3)
    model, config = TinyLM(), TrainConfig(max_steps=5, batch_size=4, block_size=12, warmup_steps=1)
    train_data, _ = _data(2)
    train(model, train_data, None, config, progress=False)
    opt = make_optimizer(model, config)
    x, y = get_batch(train_data, config, 0)
    F.cross_entropy(model(x).flatten(0, 1), y.flatten()).backward()
    opt.step()
    save_checkpoint(tmp_path, model, opt, 5, config, {"loss": [1.0]})
    other = TinyLM()
    other_opt = make_optimizer(other, config)
    info = load_checkpoint(tmp_path, other, other_opt)
    assert info["step"] == 5 and info["train_config"]["max_steps"] == 5 and info["log"] == {"loss": [1.0]}
    for name, value in model.state_dict().items():
        assert torch.equal(value, other.state_dict()[name]), name
    for a, b in zip(opt.state_dict()["state"].values(), other_opt.state_dict()["state"].values()):
        assert all(torch.equal(a[key], b[key]) for key in a)
    with pytest.raises(FileNotFoundError, match="trainer.json"):
        load_checkpoint(tmp_path / "nowhere", other)


def test_plot_loss_curve():
    import matplotlib

    matplotlib.use("Agg")
    ax = plot_loss_curve({"steps": [1, 2, 3], "loss": [3.0, 2.0, 1.5], "val_steps": [3], "val_loss": [1.7]})
    assert [list(line.get_ydata()) for line in ax.get_lines()] == [[3.0, 2.0, 1.5], [1.7]]
    assert ax.get_xlabel() == "step"
