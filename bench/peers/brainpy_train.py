"""BrainPy yardstick for brainc's training benchmark: a recurrent LIF network
trained by BPTT with a surrogate gradient, written the BrainPy way
(``bp.dyn.Lif``, ``bp.dnn.Linear``, ``bp.dyn.Integrator`` in training mode,
``bm.for_loop`` over time, ``bm.grad`` over the model's ``TrainVar``s,
``bp.optim.Adam``, the whole step under ``bm.jit``).

The network, per time step t (dt = 1 ms, T steps, input held over the step):

    I_t = x_t @ W_in + s_{t-1} @ W_rec                      (current based, no synapse)
    V_t = V_{t-1} + dt/tau_mem * (-V_{t-1} + R I_t)         (forward Euler, tau_mem 10 ms, R 1, V_rest 0)
    s_t = H(V_t - V_th), V_th 1, surrogate 1/(alpha|.|+1)^2, alpha 100 (BrainPy's InvSquareGrad)
    V_t <- V_t (1 - s_t)                                    (hard reset to 0, spike not detached)
    O_t = O_{t-1} + dt/tau_out * (-O_{t-1} + s_t @ W_out)   (tau_out 20 ms)

    loss = mean over batch of softmax cross entropy of max_t O_t; accuracy from argmax of max_t O_t.

Weights are drawn once with NumPy (seeded) as W ~ N(0, (scale / sqrt(fan_in))^2)
with scale 3.0 for W_in (--w-in-scale), 1.0 for W_rec (--w-rec-scale) and 1.0
for W_out (--w-out-scale); no biases; float32. States start at zero for every
batch. Details that follow from using BrainPy's own pieces: the spike is
H(x) = 1 for x >= 0 (V_t = V_th spikes); bp.optim.Adam (beta1 0.9, beta2 0.999,
eps 1e-8) folds both bias corrections into the step size, lr sqrt(1-beta2^t)
/ (1-beta1^t) * m / (sqrt(v) + eps), i.e. eps is not bias-corrected as in
optax or PyTorch (immaterial unless |grad| is near 1e-8).

Data: an .npz with ``times`` (s, [E]), ``units`` ([E]), ``offsets`` ([S+1]; sample
i is events offsets[i]:offsets[i+1]), ``labels`` ([S]) and optionally ``n_units``
(default max unit + 1; it sets the input width). Each sample is binned to a
dense 0/1 tensor [T, n_units] (several events in one bin count once), bin =
floor(time/dt) with a 1e-6-bin tolerance so that times written as exact
multiples of dt stay in their own bin; events at bin >= T are dropped.

Run it from bench/peers with the peers venv (P=../../.venv-peers/bin/python):

    # synthetic 10-class sets to try it on (see make_synthetic)
    $P brainpy_train.py --make-synthetic /tmp/syn2k.npz --samples 2048
    $P brainpy_train.py --make-synthetic /tmp/syn_test.npz --samples 256 --seed 1

    # time 20 training steps (forward + backward + Adam) at batch 128, no training
    $P brainpy_train.py --data /tmp/syn2k.npz --epochs 0 --bench-steps 20 --json /tmp/bp_bench.json

    # train 10 epochs, testing on a second file after each one (both at once works too)
    $P brainpy_train.py --data /tmp/syn2k.npz --test-data /tmp/syn_test.npz --epochs 10 \\
        --batch 128 --lr 1e-3 --seed 0 --json /tmp/bp_train.json

The JSON holds peer, versions, compile_s (the first, tracing and compiling call
minus the median step), step_s_median and step_s_all (the timed steps at one
fixed batch, each waited on with block_until_ready), epochs (loss, train_acc,
test_acc, wall_s per epoch; the first epoch's wall includes compiling unless
--bench-steps ran first), final_test_acc and config. The bench steps really
update the weights; they are put back afterwards, so training starts from the
same point either way. Training drops each epoch's last partial batch (the
batch shape stays fixed, so nothing recompiles); evaluation pads the last
batch and ignores the padding.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time
from types import SimpleNamespace

import numpy as np


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", help="training set .npz")
    p.add_argument("--test-data", help="test set .npz (default: none; test_acc is then null)")
    p.add_argument("--epochs", type=int, default=0)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", help="write the results here")
    p.add_argument("--bench-steps", type=int, default=0, help="time this many training steps after a compile step")
    p.add_argument("--steps", type=int, default=100, help="T, time steps per sample")
    p.add_argument("--dt", type=float, default=1.0, help="ms")
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--classes", type=int, default=None, help="default: max label + 1")
    p.add_argument("--tau-mem", type=float, default=10.0, help="ms")
    p.add_argument("--tau-out", type=float, default=20.0, help="ms")
    p.add_argument("--alpha", type=float, default=100.0, help="InvSquareGrad sharpness")
    p.add_argument("--w-in-scale", type=float, default=3.0)
    p.add_argument("--w-rec-scale", type=float, default=1.0)
    p.add_argument("--w-out-scale", type=float, default=1.0)
    p.add_argument("--model", choices=["fixed", "spec"], default="fixed",
                   help="fixed: the network above; spec: docs/examples/train/randman-net.yaml (see build_spec)")
    p.add_argument("--init-npz", help="spec model: start from brainc's weights (params.npz of `brainc train --epochs 0`: "
                   "<proj>.weight, .pre, .post for in2h, h2h, h2out) and print the test loss and accuracy before training")
    p.add_argument("--make-synthetic", metavar="OUT", help="write a synthetic 10-class set to OUT and exit")
    p.add_argument("--samples", type=int, default=512, help="samples for --make-synthetic")
    a = p.parse_args()
    if not a.make_synthetic and not a.data:
        p.error("--data is required (or --make-synthetic)")
    return a


def make_synthetic(path, samples, seed, n_units=100, classes=10, steps=100, dt_s=1e-3):
    """A learnable 10-class set in the file format above. Class c owns 20 units
    (a fixed random subset, the same for every seed) that fire at 300 Hz during
    a class-specific 20 ms window (its start jittered by ±3 ms); every unit also
    fires at 20 Hz throughout. The drive is dense enough for the hidden layer
    to spike at the default weight scales."""
    rng = np.random.default_rng(seed)
    proto = np.random.default_rng(1234)
    owned = [proto.choice(n_units, 20, replace=False) for _ in range(classes)]
    start = proto.integers(5, steps - 25, classes)
    labels = rng.integers(0, classes, samples)
    times, units, offsets = [], [], [0]
    for c in labels:
        p = np.full((steps, n_units), 20.0 * dt_s)
        t0 = start[c] + rng.integers(-3, 4)
        p[t0:t0 + 20, owned[c]] = 300.0 * dt_s
        b, u = np.nonzero(rng.random((steps, n_units)) < p)  # sorted by bin
        times.append((b + rng.uniform(0.1, 0.9, b.size)) * dt_s)
        units.append(u)
        offsets.append(offsets[-1] + b.size)
    np.savez(path, times=np.concatenate(times), units=np.concatenate(units).astype(np.int32),
             offsets=np.asarray(offsets, dtype=np.int64), labels=labels.astype(np.int32), n_units=n_units)
    print(f"wrote {path}: {samples} samples, {offsets[-1]} events", flush=True)


def load(path, steps, dt_ms):
    """Dense time-major spikes [T, S, n_units] (float32, 0/1) and labels [S]."""
    d = np.load(path)
    times, units, offsets, labels = d["times"], d["units"].astype(np.int64), d["offsets"].astype(np.int64), d["labels"]
    n_units = int(d["n_units"]) if "n_units" in d.files else int(units.max()) + 1
    s = len(labels)
    sample = np.repeat(np.arange(s), np.diff(offsets))
    bins = np.floor(np.asarray(times, dtype=np.float64) / (dt_ms * 1e-3) + 1e-6).astype(np.int64)
    ok = (bins >= 0) & (bins < steps)
    x = np.zeros((steps, s, n_units), dtype=np.float32)
    x[bins[ok], sample[ok], units[ok]] = 1.0
    return x, labels.astype(np.int32), n_units


def init_weights(a, n_in, n_cls):
    """W ~ N(0, (scale / sqrt(fan_in))^2), float32, from --seed."""
    rng = np.random.default_rng(a.seed)
    w_in = (a.w_in_scale / np.sqrt(n_in) * rng.standard_normal((n_in, a.hidden))).astype(np.float32)
    w_rec = (a.w_rec_scale / np.sqrt(a.hidden) * rng.standard_normal((a.hidden, a.hidden))).astype(np.float32)
    w_out = (a.w_out_scale / np.sqrt(a.hidden) * rng.standard_normal((a.hidden, n_cls))).astype(np.float32)
    return w_in, w_rec, w_out


def build_spec(a, n_in, n_cls, w_in, w_rec, w_out):
    """brainc's docs/examples/train/randman-net.yaml written with BrainPy's parts: input spikes
    drive H (LIF, tau 10 ms, V_th 1, hard reset to 0) through an exponential synapse (tau 5 ms,
    current based), H drives itself and the readout O through exponential synapses (tau 5 ms);
    O integrates tau dO/dt = -O + g without firing, and the logits are max_t O_t. Every
    synapse takes the previous step's spikes (brainc's order: synapses first, then neurons);
    exponential Euler for all (exact for these linear equations). The input's spikes of step t
    reach H at step t + 1, as an input population's do in brainc."""
    import brainpy as bp
    import brainpy.math as bm
    H = a.hidden

    class SpecNet(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.i2h = bp.dnn.Linear(n_in, H, W_initializer=bm.asarray(w_in), b_initializer=None)
            self.h2h = bp.dnn.Linear(H, H, W_initializer=bm.asarray(w_rec), b_initializer=None)
            self.h2o = bp.dnn.Linear(H, n_cls, W_initializer=bm.asarray(w_out), b_initializer=None)
            self.syn_h = bp.dyn.Expon(H, tau=5., method="exp_auto")
            self.syn_o = bp.dyn.Expon(n_cls, tau=5., method="exp_auto")
            self.h = bp.dyn.Lif(H, V_rest=0., V_reset=0., V_th=1., R=1., tau=a.tau_mem, V_initializer=bp.init.ZeroInit(),
                                spk_fun=bm.surrogate.InvSquareGrad(alpha=a.alpha), spk_reset="hard",
                                detach_spk=False, method="exp_auto")
            self.o = bp.dyn.Integrator(n_cls, tau=a.tau_mem, x_initializer=bp.init.ZeroInit(), method="exp_auto")

        def reset_state(self, batch_size=None):
            self.x_prev = bm.Variable(bm.zeros((batch_size, n_in)), batch_axis=0)

        def update(self, x):
            s = self.h.spike.value  # the previous step's spikes, and the input's
            g_o = self.syn_o(self.h2o(s))
            g_h = self.syn_h(self.i2h(self.x_prev.value) + self.h2h(s))
            self.x_prev.value = x
            self.h(g_h)
            return self.o(g_o)

    return SpecNet()


def build(a, n_in, n_cls):
    """The network, its Adam optimiser and the jitted train and predict steps."""
    import jax
    import brainpy as bp
    import brainpy.math as bm

    bm.set_dt(a.dt)
    bm.set_mode(bm.training_mode)
    B, H = a.batch, a.hidden
    w_in, w_rec, w_out = init_weights(a, n_in, n_cls)
    if a.init_npz:
        d = np.load(a.init_npz)

        def matrix(proj, rows, cols):
            w = np.zeros((rows, cols), np.float32)
            w[d[proj + ".pre"], d[proj + ".post"]] = d[proj + ".weight"]
            return w
        w_in, w_rec, w_out = matrix("in2h", n_in, H), matrix("h2h", H, H), matrix("h2out", H, n_cls)
    if a.model == "spec":
        net = build_spec(a, n_in, n_cls, w_in, w_rec, w_out)
        return finish(a, net, B)

    class RecurrentSNN(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.i2r = bp.dnn.Linear(n_in, H, W_initializer=bm.asarray(w_in), b_initializer=None)
            self.r2r = bp.dnn.Linear(H, H, W_initializer=bm.asarray(w_rec), b_initializer=None)
            self.r = bp.dyn.Lif(H, V_rest=0., V_reset=0., V_th=1., R=1., tau=a.tau_mem, V_initializer=bp.init.ZeroInit(),
                                spk_fun=bm.surrogate.InvSquareGrad(alpha=a.alpha), spk_reset="hard",
                                detach_spk=False, method="euler")
            self.r2o = bp.dnn.Linear(H, n_cls, W_initializer=bm.asarray(w_out), b_initializer=None)
            self.o = bp.dyn.Integrator(n_cls, tau=a.tau_out, x_initializer=bp.init.ZeroInit(), method="euler")

        def update(self, x):
            # I_t uses the previous step's spikes, read before the LIF updates them.
            s = self.r(self.i2r(x) + self.r2r(self.r.spike.value))
            return self.o(self.r2o(s))

    return finish(a, RecurrentSNN(), B)


def finish(a, net, B):
    """net's Adam optimiser and the jitted train and predict steps."""
    import jax
    import brainpy as bp
    import brainpy.math as bm

    net.reset(B)
    # reset() leaves V and O weakly typed; the step's outputs are not, so the
    # second call would compile the whole step again. Fix the types up front.
    for v in net.vars().unique().values():
        v.value = jax.numpy.asarray(bm.as_jax(v.value), dtype=v.dtype)
    train_vars = net.train_vars().unique()
    opt = bp.optim.Adam(lr=a.lr, train_vars=train_vars)

    def forward(xs):
        net.reset(xs.shape[1])  # zero V, s, O for a new batch
        outs = bm.for_loop(net.step_run, (bm.arange(xs.shape[0]), xs))  # [T, B, C]
        return bm.max(outs, axis=0)

    def loss_fun(xs, ys):
        logits = forward(xs)
        loss = bp.losses.cross_entropy_loss(logits, ys)
        return loss, bm.argmax(logits, axis=1) == ys

    grad_fun = bm.grad(loss_fun, grad_vars=train_vars, has_aux=True, return_value=True)

    @bm.jit
    def train_step(xs, ys):
        grads, loss, correct = grad_fun(xs, ys)
        opt.update(grads)
        return loss, correct

    @bm.jit
    def predict(xs):
        return bm.argmax(forward(xs), axis=1)

    return SimpleNamespace(net=net, train_vars=train_vars, opt=opt, forward=forward, loss_fun=loss_fun,
                           grad_fun=grad_fun, train_step=train_step, predict=predict)


def main():
    a = parse_args()
    if a.make_synthetic:
        make_synthetic(a.make_synthetic, a.samples, a.seed)
        return

    t_import = time.perf_counter()
    import jax
    import brainpy as bp
    import brainpy.math as bm
    t_import = time.perf_counter() - t_import

    xtr, ytr, n_in = load(a.data, a.steps, a.dt)
    xte = yte = None
    if a.test_data:
        xte, yte, _ = load(a.test_data, a.steps, a.dt)
    n_cls = a.classes or int(max(ytr.max(), yte.max() if yte is not None else 0)) + 1
    B, H = a.batch, a.hidden
    print(f"train {xtr.shape[1]} samples, {n_in} units, {n_cls} classes, T={a.steps}; "
          f"test {0 if xte is None else xte.shape[1]}", flush=True)

    m = build(a, n_in, n_cls)
    net, train_vars, opt, train_step, predict = m.net, m.train_vars, m.opt, m.train_step, m.predict

    def block(v):
        return jax.block_until_ready(bm.as_jax(v))

    result = dict(peer="brainpy",
                  versions=dict(brainpy=bp.__version__, jax=jax.__version__, numpy=np.__version__,
                                python=platform.python_version()),
                  device=str(jax.devices()[0]), cpus=os.cpu_count(), host=platform.node(),
                  import_s=t_import, compile_s=None, step_s_median=None, step_s_all=[], epochs=[],
                  final_test_acc=None,
                  config=dict(data=a.data, test_data=a.test_data, T=a.steps, dt_ms=a.dt, n_in=n_in, hidden=H,
                              classes=n_cls, batch=B, lr=a.lr, seed=a.seed, epochs=a.epochs, tau_mem_ms=a.tau_mem,
                              tau_out_ms=a.tau_out, V_th=1.0, V_reset=0.0, R=1.0, surrogate="InvSquareGrad",
                              alpha=a.alpha, reset="hard, spike not detached", w_in_scale=a.w_in_scale,
                              w_rec_scale=a.w_rec_scale, w_out_scale=a.w_out_scale,
                              optimizer="bp.optim.Adam(beta1=0.9, beta2=0.999, eps=1e-8)",
                              dtype=str(bm.as_jax(next(iter(train_vars.values()))).dtype), bench_steps=a.bench_steps,
                              model=a.model,
                              impl="bp.dyn.Lif + bp.dnn.Linear + bp.dyn.Integrator (+ bp.dyn.Expon for spec), bm.for_loop, bm.grad, bm.jit"))

    def evaluate(x, y):
        correct = 0
        for i in range(0, x.shape[1], B):
            xb = x[:, i:i + B]
            n = xb.shape[1]
            if n < B:
                xb = np.concatenate([xb, np.zeros((x.shape[0], B - n, x.shape[2]), np.float32)], axis=1)
            correct += int((np.asarray(predict(xb))[:n] == y[i:i + n]).sum())
        return correct / x.shape[1]

    if a.init_npz and xte is not None:
        xs = bm.asarray(xte)
        loss, correct = m.loss_fun(xs, bm.asarray(yte))
        acc = float(np.asarray(correct).mean())
        result.update(initial_test_loss=float(loss), initial_test_acc=acc)
        print(f"before training: test loss {float(loss):.4f} accuracy {acc:.3f}", flush=True)
        net.reset(B)

    if a.bench_steps > 0:
        if xtr.shape[1] < B:
            sys.exit(f"--bench-steps needs at least --batch {B} training samples")
        # The timed steps really train (the Adam update is part of the step); the
        # weights and optimiser state are put back afterwards so that --epochs
        # starts from the same point with or without --bench-steps.
        saved = {k: bm.as_jax(v).copy() for k, v in {**train_vars, **opt.vars()}.items()}
        xb, yb = bm.asarray(xtr[:, :B]), bm.asarray(ytr[:B])
        t0 = time.perf_counter()
        block(train_step(xb, yb)[0])
        first = time.perf_counter() - t0
        times = []
        for _ in range(a.bench_steps):
            t0 = time.perf_counter()
            block(train_step(xb, yb)[0])
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        result.update(compile_s=max(0.0, first - med), first_call_s=first, step_s_median=med, step_s_all=times)
        print(f"compile {first - med:.3f} s (first call {first:.3f} s); step median {med * 1e3:.2f} ms over "
              f"{a.bench_steps} steps (min {min(times) * 1e3:.2f}, max {max(times) * 1e3:.2f})", flush=True)
        for k, v in {**train_vars, **opt.vars()}.items():
            v.value = saved[k]

    order_rng = np.random.default_rng(a.seed + 1)
    for ep in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        perm = order_rng.permutation(xtr.shape[1])
        losses, n_correct, n_seen = [], 0, 0
        for i in range(0, len(perm) - B + 1, B):
            idx = perm[i:i + B]
            loss, correct = train_step(bm.asarray(xtr[:, idx]), bm.asarray(ytr[idx]))
            losses.append(float(loss))
            n_correct += int(np.asarray(correct).sum())
            n_seen += B
        train_wall = time.perf_counter() - t0
        test_acc = evaluate(xte, yte) if xte is not None else None
        rec = dict(epoch=ep, loss=float(np.mean(losses)) if losses else None,
                   train_acc=n_correct / n_seen if n_seen else None, test_acc=test_acc,
                   wall_s=time.perf_counter() - t0, train_wall_s=train_wall, batches=len(losses))
        result["epochs"].append(rec)
        print(f"epoch {ep}: loss {rec['loss']:.4f} train acc {rec['train_acc']:.3f} test acc "
              f"{'-' if test_acc is None else f'{test_acc:.3f}'} wall {rec['wall_s']:.2f} s", flush=True)
    if a.epochs > 0 and xte is not None:
        result["final_test_acc"] = result["epochs"][-1]["test_acc"]
        print(f"final test accuracy {result['final_test_acc']:.3f}", flush=True)

    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=1)
    print(json.dumps({k: result[k] for k in ("peer", "compile_s", "step_s_median", "final_test_acc")}), flush=True)


if __name__ == "__main__":
    main()
