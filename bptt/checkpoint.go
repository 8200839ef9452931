package bptt

import (
	"crypto/sha256"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/brainc/brainc/fingerprint"
	"github.com/brainc/brainc/npyio"
)

// A checkpoint of a training (Trainer.Checkpoint) is an .npz file:
//
//	<param>           the trained constant's values (float64, its shape)
//	<param>.adam_m    Adam's first moment, or SGD's velocity (float64, its size)
//	<param>.adam_v    Adam's second moment (float64, its size, ≥ 0; 0 for SGD)
//	adam_t            the optimiser's step count per trained constant (int64)
//	epochs            the epochs completed (int64 [1])
//	fingerprint       SHA-256 of the network's fingerprint and the training's
//	                  configuration (uint8 [32])
//
// Resume reads it as untrusted: the file is bounded (npyio's limits), and
// every array must be present with its exact shape, finite, and the
// fingerprint must match the trainer's.

// maxCheckpointEpochs bounds a checkpoint's epoch count.
const maxCheckpointEpochs = 1 << 30

// fingerprint hashes the lowered network (lower.Program.Fingerprint) and
// what the training reads, feeds and trains.
func (t *Trainer) fingerprint() []uint8 {
	h := sha256.New()
	f := fingerprint.Of(t.sig.Program())
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%s\n", k, f[k])
	}
	c := t.cfg
	fmt.Fprintf(h, "batch=%d input=%s readout=%s.%s reduce=%s params=%s steps=%d units=%d classes=%d\n",
		c.Batch, c.Input, c.Readout, c.ReadoutVar, c.Reduce, strings.Join(c.Params, ","), t.steps, t.units, t.classes)
	if c.Optimizer == OptimSGD || c.RateReg > 0 { // (absent before both existed: Adam checkpoints keep their fingerprint)
		fmt.Fprintf(h, "optimizer=%s momentum=%g rate_reg=%g rate_target=%g rate_pops=%s\n",
			c.Optimizer, c.Momentum, c.RateReg, c.RateTarget, strings.Join(c.RatePops, ","))
	}
	return h.Sum(nil)
}

// Checkpoint writes the trained constants, Adam's state and the epochs
// completed to an .npz file (see Resume).
func (t *Trainer) Checkpoint(path string, epochs int) error {
	var names []string
	var arrays []npyio.Array
	steps := make([]int64, len(t.cfg.Params))
	for i, name := range t.cfg.Params {
		v := t.consts[t.at[i]]
		a := t.optim[i]
		names = append(names, name, name+".adam_m", name+".adam_v")
		arrays = append(arrays, npyio.Array{Shape: v.Shape().Dimensions, Data: flat64(v)},
			npyio.Array{Shape: []int{len(a.m)}, Data: slices.Clone(a.m)}, npyio.Array{Shape: []int{len(a.v)}, Data: slices.Clone(a.v)})
		steps[i] = int64(a.t)
	}
	names = append(names, "adam_t", "epochs", "fingerprint")
	arrays = append(arrays, npyio.Array{Shape: []int{len(steps)}, Data: steps},
		npyio.Array{Shape: []int{1}, Data: []int64{int64(epochs)}},
		npyio.Array{Shape: []int{sha256.Size}, Data: t.fingerprint()})
	return npyio.WriteNPZ(path, names, arrays)
}

// Resume restores the trained constants and Adam's state from a checkpoint
// written by Checkpoint for the same network and training, and returns
// the epochs it had completed. Nothing changes when it fails.
func (t *Trainer) Resume(path string) (epochs int, err error) {
	m, err := npyio.ReadNPZMap(path)
	if err != nil {
		return 0, err
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: not a checkpoint of this training: %s", path, fmt.Sprintf(format, a...))
	}
	fp, ok := m["fingerprint"].Data.([]uint8)
	if !ok || !slices.Equal(fp, t.fingerprint()) {
		return 0, bad("its fingerprint differs (another network, data shape, batch or set of trained values)")
	}
	floats := func(name string, shape []int) ([]float64, error) {
		a, ok := m[name]
		v, isFloat := a.Data.([]float64)
		if !ok || !isFloat || !slices.Equal(a.Shape, shape) {
			return nil, bad("%s must be float64 %v", name, shape)
		}
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, bad("%s holds %v", name, x)
			}
		}
		return v, nil
	}
	n := len(t.cfg.Params)
	steps, ok := m["adam_t"].Data.([]int64)
	if !ok || len(steps) != n {
		return 0, bad("adam_t must be int64 [%d]", n)
	}
	ep, ok := m["epochs"].Data.([]int64)
	if !ok || len(ep) != 1 || ep[0] < 0 || ep[0] > maxCheckpointEpochs {
		return 0, bad("epochs must be one int64 in [0, %d]", maxCheckpointEpochs)
	}
	values := make([][]float64, n)
	moments := make([][2][]float64, n)
	for i, name := range t.cfg.Params {
		at := t.at[i]
		dims := t.consts[at].Shape().Dimensions
		size := len(flat64(t.consts[at]))
		if values[i], err = floats(name, dims); err != nil {
			return 0, err
		}
		if moments[i][0], err = floats(name+".adam_m", []int{size}); err != nil {
			return 0, err
		}
		if moments[i][1], err = floats(name+".adam_v", []int{size}); err != nil {
			return 0, err
		}
		if slices.ContainsFunc(moments[i][1], func(x float64) bool { return x < 0 }) {
			return 0, bad("%s.adam_v holds a negative value", name)
		}
		if steps[i] < 0 || steps[i] > maxCheckpointEpochs*int64(maxCheckpointEpochs) {
			return 0, bad("adam_t[%d] is %d", i, steps[i])
		}
	}
	dt := t.sig.Program().DType
	for i := range n {
		at := t.at[i]
		t.consts[at] = floatTensor(values[i], dt, t.consts[at].Shape().Dimensions...)
		o := t.optim[i]
		o.m, o.v, o.t = moments[i][0], moments[i][1], int(steps[i])
	}
	return int(ep[0]), nil
}
