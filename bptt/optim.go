package bptt

import (
	"fmt"
	"math"
)

// Optimisers of Config.Optimizer.
const (
	// OptimAdam is Adam (β₁ 0.9, β₂ 0.999, ε 1e-8; the default).
	OptimAdam = "adam"
	// OptimSGD is stochastic gradient descent with Config.Momentum
	// (heavy ball: v ← μ·v + g, x ← x − lr·v; plain SGD when μ is 0).
	OptimSGD = "sgd"
)

// Schedule is a learning rate that changes from epoch to epoch.
type Schedule struct {
	// Kind is "" or "constant" (Config.LR throughout), "step" (LR·Gammaᵏ
	// after k·Every epochs) or "cosine" (from LR down to MinLR along half
	// a cosine over the epochs trained, reaching MinLR at the last).
	Kind string
	// Every and Gamma shape a step schedule (Every ≥ 1, 0 < Gamma ≤ 1).
	Every int
	Gamma float64
	// MinLR is a cosine schedule's final rate (0 ≤ MinLR ≤ LR).
	MinLR float64
}

// Schedules of Schedule.Kind.
const (
	// ScheduleConstant keeps Config.LR.
	ScheduleConstant = "constant"
	// ScheduleStep multiplies the rate by Gamma every Every epochs.
	ScheduleStep = "step"
	// ScheduleCosine takes the rate to MinLR along half a cosine.
	ScheduleCosine = "cosine"
)

// check says what is wrong with the schedule for a learning rate lr.
func (s Schedule) check(lr float64) error {
	switch s.Kind {
	case "", ScheduleConstant:
	case ScheduleStep:
		if s.Every < 1 || !(s.Gamma > 0 && s.Gamma <= 1) {
			return fmt.Errorf("bptt: a step schedule needs every ≥ 1 epochs and 0 < gamma ≤ 1, got %d and %g", s.Every, s.Gamma)
		}
	case ScheduleCosine:
		if !(s.MinLR >= 0 && s.MinLR <= lr) {
			return fmt.Errorf("bptt: a cosine schedule's min_lr must be in [0, lr = %g], got %g", lr, s.MinLR)
		}
	default:
		return fmt.Errorf("bptt: unknown schedule %q: expected %q, %q or %q", s.Kind, ScheduleConstant, ScheduleStep, ScheduleCosine)
	}
	return nil
}

// rate is the learning rate of epoch (from 1) of a training of last
// epochs that starts at lr.
func (s Schedule) rate(lr float64, epoch, last int) float64 {
	switch s.Kind {
	case ScheduleStep:
		return lr * math.Pow(s.Gamma, float64((epoch-1)/s.Every))
	case ScheduleCosine:
		if last <= 1 {
			return lr
		}
		f := float64(epoch-1) / float64(last-1)
		return s.MinLR + (lr-s.MinLR)*(1+math.Cos(math.Pi*f))/2
	}
	return lr
}

// optim is one trained value's optimiser state: Adam's moments m and v
// and step count t, or SGD's velocity m.
type optim struct {
	m, v     []float64
	t        int
	sgd      bool
	momentum float64
}

// newOptim is the state of a value of n elements for Config c.
func newOptim(n int, c Config) *optim {
	return &optim{m: make([]float64, n), v: make([]float64, n), sgd: c.Optimizer == OptimSGD, momentum: c.Momentum}
}

// update returns x after one step along the gradient g.
func (a *optim) update(x, g []float64, lr float64) []float64 {
	a.t++
	out := make([]float64, len(x))
	if a.sgd {
		for i := range x {
			a.m[i] = a.momentum*a.m[i] + g[i]
			out[i] = x[i] - lr*a.m[i]
		}
		return out
	}
	const b1, b2, eps = 0.9, 0.999, 1e-8
	c1, c2 := 1-math.Pow(b1, float64(a.t)), 1-math.Pow(b2, float64(a.t))
	for i := range x {
		a.m[i] = b1*a.m[i] + (1-b1)*g[i]
		a.v[i] = b2*a.v[i] + (1-b2)*g[i]*g[i]
		out[i] = x[i] - lr*(a.m[i]/c1)/(math.Sqrt(a.v[i]/c2)+eps)
	}
	return out
}
