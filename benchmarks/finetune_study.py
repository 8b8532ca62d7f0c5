"""Would fine-tuning the encoder beat a linear head on real copy? A study; nothing here ships.

benchmarks/real_head_study.py showed that a logistic head over *frozen* all-MiniLM-L6-v2
sentence vectors, trained on the dev real items, adds only 0.001-0.004 micro F1 to the patterns
on the measure-only real items. This script asks the next question: does letting the encoder
itself learn (its top transformer layers plus a linear multi-label head) add materially?

* the embeddings and the lower ``6 - --layers`` transformer layers stay frozen; their hidden
  states are computed once per text (and kept in ``--cache``, e.g. under /tmp), so each epoch
  runs only the top ``--layers`` layers, mean pooling and a linear head over the 18 themes;
  AdamW, BCE with each theme's positives weighted by sqrt(negatives / positives) (at most 10),
  ``--epochs`` epochs, texts cut at ``--max-length`` tokens, one CPU thread;
* ``--variant`` picks the training items:
  ``real``: the dev real items (every real file of tests/eval except the measure-only ones, and
  the dev split of real.jsonl); ``written``: the rows of the shipped head
  (``train_semantic_head.training_rows()``, text the team wrote); ``both``: the two together;
* a theme is added to the patterns' when its probability reaches one threshold. For ``real`` and
  ``both`` the threshold is chosen by five-fold cross-validation over the dev real items (the
  folds of real_head_study), or with ``--holdout`` on their first fold only, trained on the
  rest; ``written`` never sees real copy, so its threshold is chosen on the dev real items
  directly;
* only then, once per variant, the measure-only real files (real11, 13, 22, 28, 32, 35) and the
  blind written probes4 are scored with patterns alone and with patterns plus the fine-tuned
  model. Nothing is tuned on them, and the test split is never read.

    python benchmarks/finetune_study.py --variant real --cache /tmp/ft-hidden.pt

Needs msglint[semantic] (torch via sentence-transformers). The weights live only in memory: the
corpus's copy is GPL-3.0 / MPL-2.0 and nothing trained here is written out or shipped.

Session 10 (2 CPU cores shared, one thread; 3 epochs, max length 96, lr 1e-4 / 1e-3). Micro F1 /
precision / recall on the 600 measure-only real items; patterns alone 0.811 / 0.879 / 0.753:

    variant, layers trained, threshold by      t      measured real         dev real   probes4
    real, top 2, five-fold                     0.925  0.816 0.876 0.764     0.882*     0.667
    written, top 2, on dev real                0.950  0.817 0.873 0.768     0.883*     0.706
    both, top 2, held-out fifth                0.975  0.820 0.877 0.770     0.859**    0.697
    real, all 6, held-out fifth                0.925  0.827 0.874 0.785     0.861**    0.667
    both, all 6, held-out fifth                0.925  0.836 0.859 0.813     0.866**    0.761

The last: gain +0.025 on the measured items (95% paired bootstrap over items +0.011 .. +0.038);
the fine-tuned model alone reaches 0.804 there (its own dev threshold 0.675).

(* patterns alone 0.881 on all 3,020 dev real items; ** 0.859 on the held-out 598; probes4
patterns alone 0.662.) A step of 32 texts: 0.27-0.46s with 2 layers, about 1s with all 6.

Session 11: the licence-clean question, trained on our own written rows only (5,349) so the
weights could ship. ``--lora RANK`` trains a low-rank adapter on each attention and feed-forward
weight instead of the weights (about 330k numbers at rank 8, small enough to ship in rules/);
``--normalize`` puts the head over the unit-length pooled vector, as the shipped embedder gives:

    variant, layers trained, threshold by      t      measured real         dev real   probes4
    written, all 6, on dev real                0.975  0.822 0.877 0.773     0.881*     0.662
    written, all 6 LoRA r8, normalised, same   0.950  0.814 0.877 0.759     0.882*     0.662

Neither moves the 3,020 dev real items they never saw (patterns alone 0.882): what the "both"
run gained came from learning real copy, which cannot ship (its licences). The first's +0.011
on the measured items (bootstrap +0.004 .. +0.018) is not matched on dev, so no adapter ships.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import os
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from real_head_study import FOLDS, THEMES, labels, load_real, micro, pattern_labels  # noqa: E402
from train_semantic_head import training_rows  # noqa: E402

from msglint import semantic  # noqa: E402
from msglint.evaluation import load_dataset  # noqa: E402

LAYERS_IN_MODEL = 6
# A unit vector times this feeds the head: the same logistic regression on unit vectors, but
# with weights of a size AdamW at the head's learning rate reaches in a few epochs.
NORM_SCALE = 10.0
BATCH = 32
GRID = [round(0.05 + 0.025 * i, 3) for i in range(38)]  # 0.05 .. 0.975


class Encoder:
    """The frozen bottom of MiniLM: text -> hidden states after layer ``6 - layers``."""

    def __init__(self, layers: int, max_length: int, cache: Path | None) -> None:
        import torch

        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        model = importlib.import_module(semantic.MODEL_PACKAGE).load_model(device="cpu")
        self.bert, self.tokenizer = model[0].auto_model.eval(), model.tokenizer
        self.cut, self.max_length, self.path = LAYERS_IN_MODEL - layers, max_length, cache
        self.key = (self.cut, max_length)
        self.store: dict[str, Any] = {}
        if cache is not None and cache.exists():
            saved = torch.load(cache, weights_only=False)
            if saved.get("key") == self.key:
                self.store = saved["hidden"]
        self.fresh = 0

    def top_layers(self) -> Any:
        import torch

        return torch.nn.ModuleList(copy.deepcopy(self.bert.encoder.layer[self.cut:]))

    def hidden(self, texts: Sequence[str]) -> list[Any]:
        """One (tokens, 384) float tensor per text."""
        import torch

        todo = sorted((t for t in dict.fromkeys(texts) if t not in self.store), key=len)
        for start in range(0, len(todo), 64):
            chunk = todo[start:start + 64]
            enc = self.tokenizer(chunk, padding=True, truncation=True,
                                 max_length=self.max_length, return_tensors="pt")
            with torch.no_grad():
                out = self.bert(**enc, output_hidden_states=True).hidden_states[self.cut]
            for text, h, m in zip(chunk, out, enc["attention_mask"], strict=True):
                self.store[text] = h[: int(m.sum())].clone()
            self.fresh += len(chunk)
        return [self.store[t] for t in texts]

    def save(self) -> None:
        import torch

        if self.path is not None and self.fresh:
            torch.save({"key": self.key, "hidden": self.store}, self.path)


def batches(hidden: Sequence[Any], order: Sequence[int]) -> Any:
    """(indices, padded states, mask) in batches of similar length, in the order given."""
    import torch

    for start in range(0, len(order), BATCH):
        idx = list(order[start:start + BATCH])
        size = max(hidden[i].shape[0] for i in idx)
        h = torch.zeros(len(idx), size, hidden[idx[0]].shape[1])
        mask = torch.zeros(len(idx), size)
        for row, i in enumerate(idx):
            h[row, : hidden[i].shape[0]] = hidden[i]
            mask[row, : hidden[i].shape[0]] = 1.0
        yield idx, h, mask


LORA_TARGETS = ("attention.self.query", "attention.self.key", "attention.self.value",
                "attention.output.dense", "intermediate.dense", "output.dense")


def lora_modules(layer: Any) -> list[tuple[str, Any]]:
    """(dotted name, Linear) of the weights a low-rank adapter trains in one BERT layer."""
    out = []
    for name in LORA_TARGETS:
        module = layer
        for part in name.split("."):
            module = getattr(module, part)
        out.append((name, module))
    return out


class LoRALinear:
    """A frozen Linear plus a trained low-rank update: y = W x + b + scale * B (A x)."""

    def __init__(self, base: Any, rank: int, alpha: float) -> None:
        import torch

        self.base, self.scale = base, alpha / rank
        for p in base.parameters():
            p.requires_grad_(False)
        self.a = torch.nn.Parameter(torch.randn(rank, base.in_features) / base.in_features ** 0.5)
        self.b = torch.nn.Parameter(torch.zeros(base.out_features, rank))

    def __call__(self, x: Any) -> Any:
        return self.base(x) + (x @ self.a.T @ self.b.T) * self.scale


def add_lora(layers: Any, rank: int, alpha: float) -> list[Any]:
    """Swap each target Linear of ``layers`` for a LoRALinear; returns the trained tensors."""
    trained = []
    for layer in layers:
        for p in layer.parameters():
            p.requires_grad_(False)
        for name, linear in lora_modules(layer):
            wrapped = LoRALinear(linear, rank, alpha)
            parent = layer
            *path, leaf = name.split(".")
            for part in path:
                parent = getattr(parent, part)
            object.__setattr__(parent, leaf, wrapped)  # not a Module: bypass registration
            parent._modules.pop(leaf, None)
            trained += [wrapped.a, wrapped.b]
    return trained


class Model:
    """Top transformer layers + mean pooling + a linear layer over the themes."""

    def __init__(self, encoder: Encoder, prior: Any, rank: int = 0, alpha: float = 16.0,
                 normalize: bool = False) -> None:
        import torch

        self.layers = encoder.top_layers()
        self.normalize = normalize
        self.trained = add_lora(self.layers, rank, alpha) if rank else \
            list(self.layers.parameters())
        width = self.layers[0].attention.output.LayerNorm.normalized_shape[0]
        self.head = torch.nn.Linear(width, len(THEMES))
        with torch.no_grad():  # start at each theme's base rate
            self.head.weight.mul_(0.1)
            self.head.bias.copy_(torch.log(prior / (1 - prior)))

    def forward(self, h: Any, mask: Any) -> Any:
        import torch

        ext = (1.0 - mask[:, None, None, :]) * torch.finfo(torch.float32).min
        for layer in self.layers:
            h = layer(h, ext)
            h = h[0] if isinstance(h, tuple) else h
        pooled = (h * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        if self.normalize:  # as the shipped embedder hands vectors to the head
            pooled = torch.nn.functional.normalize(pooled, dim=1) * NORM_SCALE
        return self.head(pooled)


def train(encoder: Encoder, hidden: Sequence[Any], y: Any, args: argparse.Namespace,
          clock: dict[str, float]) -> Model:
    import numpy as np
    import torch

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    target = torch.tensor(y, dtype=torch.float32)
    pos = target.sum(0)
    prior = ((pos + 1) / (len(y) + 2)).clamp(1e-4, 0.5)
    pos_weight = ((len(y) - pos).clamp(min=1) / pos.clamp(min=1)).sqrt().clamp(1.0, 10.0)
    model = Model(encoder, prior, args.lora, args.alpha, args.normalize)
    opt = torch.optim.AdamW([{"params": model.trained, "lr": args.lr},
                             {"params": model.head.parameters(), "lr": args.head_lr}],
                            weight_decay=0.01)
    steps = args.epochs * -(-len(y) // BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, 1 - s / steps))
    lengths = np.array([h.shape[0] for h in hidden])
    model.layers.train()
    for _ in range(args.epochs):
        # shuffle, then sort within pools of 20 batches so padding stays short
        perm = rng.permutation(len(y))
        pools = [sorted(perm[i:i + 20 * BATCH], key=lambda j: lengths[j])
                 for i in range(0, len(perm), 20 * BATCH)]
        chunks = [p[i:i + BATCH] for p in pools for i in range(0, len(p), BATCH)]
        order = [j for c in (chunks[k] for k in rng.permutation(len(chunks))) for j in c]
        for idx, h, mask in batches(hidden, order):
            t = time.perf_counter()
            loss: Any = torch.nn.functional.binary_cross_entropy_with_logits(
                model.forward(h, mask), target[idx], pos_weight=pos_weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            clock["steps"] += 1
            clock["train"] += time.perf_counter() - t
    return model


def predict(model: Model, hidden: Sequence[Any]) -> Any:
    import numpy as np
    import torch

    out = np.zeros((len(hidden), len(THEMES)))
    order = sorted(range(len(hidden)), key=lambda i: hidden[i].shape[0])
    model.layers.eval()
    with torch.no_grad():
        for idx, h, mask in batches(hidden, order):
            out[idx] = torch.sigmoid(model.forward(h, mask)).numpy()
    return out


def gain_interval(base: Any, plus: Any, gold: Any, rounds: int = 2000) -> tuple[float, float]:
    """95% paired bootstrap interval (over items) of micro F1(plus) - micro F1(base)."""
    import numpy as np

    rng = np.random.default_rng(0)
    gains = []
    for _ in range(rounds):
        idx = rng.integers(0, len(gold), len(gold))
        gains.append(micro(plus[idx], gold[idx])[0] - micro(base[idx], gold[idx])[0])
    low, high = np.percentile(gains, [2.5, 97.5])
    return float(low), float(high)


def row(label: str, scores: tuple[float, float, float], note: str = "") -> str:
    return f"{label:<48} {scores[0]:6.3f} {scores[1]:6.3f} {scores[2]:6.3f}{note}"


def main() -> int:
    import numpy as np

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--variant", choices=("real", "written", "both"), default="real",
                    help="training items (default real: the dev real items)")
    ap.add_argument("--layers", type=int, choices=range(1, LAYERS_IN_MODEL + 1), default=2,
                    help="top transformer layers to train (default 2)")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--max-length", type=int, default=96, help="tokens per text (default 96)")
    ap.add_argument("--lr", type=float, default=1e-4, help="learning rate of the layers")
    ap.add_argument("--head-lr", type=float, default=1e-3, help="learning rate of the head")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lora", type=int, default=0, metavar="RANK",
                    help="train a rank-RANK adapter on each weight instead of the weights")
    ap.add_argument("--alpha", type=float, default=16.0, help="adapter scale numerator")
    ap.add_argument("--normalize", action="store_true",
                    help="head over the unit-length pooled vector (what the shipped embedder "
                         "gives)")
    ap.add_argument("--holdout", action="store_true",
                    help="real/both: choose the threshold on one held-out fifth of the dev real "
                         "items (two trainings) instead of five-fold (six)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    ap.add_argument("--cache", type=Path, help="file of frozen hidden states (e.g. under /tmp)")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = ap.parse_args()
    if not (args.corpus / "jin2021_slogan_valid.csv").is_file():
        print(f"finetune_study: error: {args.corpus}: not the shared corpus; give its folder "
              "with --corpus", file=sys.stderr)
        return 2
    if not semantic.available():
        print(f"finetune_study: error: {semantic.MISSING_EXTRA}", file=sys.stderr)
        return 2
    import torch

    torch.set_num_threads(args.threads)
    began = time.perf_counter()
    dev, measured = load_real(args.corpus)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        probes4 = list(load_dataset(ROOT / "tests" / "eval" / "dev-only" / "probes4.jsonl"))
    written = training_rows() if args.variant != "real" else []
    encoder = Encoder(args.layers, args.max_length, args.cache)
    t = time.perf_counter()
    h_dev = encoder.hidden([i.text for i in dev])
    h_written = encoder.hidden([text for text, _ in written])
    h_meas = encoder.hidden([i.text for i in measured])
    h_p4 = encoder.hidden([i.text for i in probes4])
    encoder.save()
    print(f"frozen layers: {encoder.fresh} texts encoded in {time.perf_counter() - t:.0f}s")
    y_dev, y_meas, y_p4 = labels(dev), labels(measured), labels(probes4)
    y_written = np.array([[th in themes for th in THEMES] for _, themes in written], dtype=bool)
    y_written = y_written.reshape(len(written), len(THEMES))
    p_dev, p_meas, p_p4 = pattern_labels(dev), pattern_labels(measured), pattern_labels(probes4)
    print(f"variant {args.variant}: dev real items {len(dev)}, written rows {len(written)}, "
          f"measure-only real items {len(measured)}, probes4 {len(probes4)}; top {args.layers} "
          f"layers, {args.epochs} epochs, max length {args.max_length}, lr {args.lr:g}/"
          f"{args.head_lr:g}")
    clock = {"steps": 0.0, "train": 0.0}
    if args.variant == "written":
        model = train(encoder, h_written, y_written, args, clock)
        chosen_on = predict(model, h_dev)
        how = "dev real, not trained on"
    else:
        fold = np.random.default_rng(0).integers(0, FOLDS, len(dev))
        chosen_on = np.zeros(y_dev.shape)
        for k in range(1 if args.holdout else FOLDS):
            inside = [i for i in range(len(dev)) if fold[i] != k]
            out = [i for i in range(len(dev)) if fold[i] == k]
            fitted = train(encoder, [h_dev[i] for i in inside] + h_written,
                           np.concatenate([y_dev[inside], y_written]), args, clock)
            chosen_on[out] = predict(fitted, [h_dev[i] for i in out])
            print(f"  fold {k + 1}/{1 if args.holdout else FOLDS} done, "
                  f"{time.perf_counter() - began:.0f}s")
        model = train(encoder, h_dev + h_written, np.concatenate([y_dev, y_written]), args, clock)
        how = "dev real, five-fold"
        if args.holdout:  # score and choose on the held-out fifth only
            keep = fold == 0
            chosen_on, p_dev, y_dev = chosen_on[keep], p_dev[keep], y_dev[keep]
            how = f"dev real, held-out {int(keep.sum())}"
    best = max(GRID, key=lambda c: micro(p_dev | (chosen_on >= c), y_dev)[0])
    alone = max(GRID, key=lambda c: micro(chosen_on >= c, y_dev)[0])  # how much it learned
    # Measured once, after everything above is fixed.
    probs_meas, probs_p4 = predict(model, h_meas), predict(model, h_p4)
    print(f"training: {int(clock['steps'])} steps, {clock['train']:.0f}s "
          f"({clock['train'] / max(clock['steps'], 1):.2f}s a step of {BATCH}); "
          f"whole run {time.perf_counter() - began:.0f}s")
    print("{:<48} {:>6} {:>6} {:>6}".format("", "F1", "prec", "rec"))
    print(row("patterns, dev real", micro(p_dev, y_dev)))
    print(row(f"+ fine-tuned t={best:.3f} ({how})", micro(p_dev | (chosen_on >= best), y_dev)))
    print(row("fine-tuned alone, same", micro(chosen_on >= best, y_dev)))
    print(row(f"fine-tuned alone t={alone:.3f}, same", micro(chosen_on >= alone, y_dev)))
    print(row("patterns, measure-only real", micro(p_meas, y_meas)))
    low, high = gain_interval(p_meas, p_meas | (probs_meas >= best), y_meas)
    print(row(f"+ fine-tuned t={best:.3f}, measure-only real",
              micro(p_meas | (probs_meas >= best), y_meas),
              f"   (gain 95% bootstrap {low:+.3f} .. {high:+.3f})"))
    print(row("fine-tuned alone, measure-only real", micro(probs_meas >= best, y_meas)))
    print(row(f"fine-tuned alone t={alone:.3f}, measure-only real",
              micro(probs_meas >= alone, y_meas)))
    print(row("patterns, probes4", micro(p_p4, y_p4)))
    print(row(f"+ fine-tuned t={best:.3f}, probes4", micro(p_p4 | (probs_p4 >= best), y_p4)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
