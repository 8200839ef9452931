package learn

import (
	"fmt"

	"github.com/brainc/brainc/ops"
)

// Readout kinds.
const (
	// ReadoutLeaky is a leaky-integrator readout (non-spiking).
	ReadoutLeaky = "leaky"
	// ReadoutSpiking is a LIF output layer; the class is read from spike counts.
	ReadoutSpiking = "spiking"
)

// Loss names.
const (
	// LossMaxCE is softmax cross-entropy over the maximum over time of the
	// readout potential (leaky readout) or over spike counts (spiking).
	LossMaxCE = "ce_max"
	// LossMeanCE is softmax cross-entropy over the mean over time of the
	// readout potential (leaky readout) or over spike counts (spiking).
	LossMeanCE = "ce_mean"
	// LossCountMSE is the mean squared error between output spike counts and
	// target counts (TargetHigh for the label, TargetLow for the others);
	// it needs the spiking readout.
	LossCountMSE = "count_mse"
)

// Config describes a spiking classifier and how it is trained. Times are in
// ms, potentials in units of the threshold scale (V_rest = 0).
type Config struct {
	// Inputs, Hidden and Outputs are the layer sizes.
	Inputs, Hidden, Outputs int
	// Steps is the number of time steps per sample; Dt the step (ms).
	Steps int
	Dt    float64
	// TauMem is the hidden (and spiking readout) membrane time constant,
	// TauOut the leaky readout's time constant (ms).
	TauMem, TauOut float64
	// VTh and VReset are the threshold and the reset potential.
	VTh, VReset float64
	// Recurrent adds the hidden-to-hidden weights W_rec.
	Recurrent bool
	// Integrator is "euler" or "exp_euler".
	Integrator string
	// Surrogate is the spike function's surrogate gradient.
	Surrogate ops.Surrogate
	// InScale, RecScale and OutScale set the initial weights: normal with
	// standard deviation scale/√fan-in.
	InScale, RecScale, OutScale float64
	// TrainTau and TrainVTh make the hidden layer's per-neuron time
	// constants and thresholds trainable.
	TrainTau, TrainVTh bool
	// Readout is ReadoutLeaky or ReadoutSpiking; Loss one of the Loss names.
	Readout, Loss string
	// TargetHigh and TargetLow are the count_mse target spike counts.
	TargetHigh, TargetLow float64
	// RateReg weighs the regulariser mean((r − RateTarget)²) over hidden
	// neurons and samples, r being each neuron's rate in Hz; 0 disables it.
	RateReg, RateTarget float64
	// LR is Adam's learning rate; Batch the batch size; Epochs the number
	// of passes over the training set.
	LR            float64
	Batch, Epochs int
	// Seed draws the initial weights and the batch order.
	Seed uint64
}

// DefaultConfig is a 100 → 128 recurrent LIF → 10 leaky-readout classifier
// over 100 steps of 1 ms, trained with cross-entropy over the readout's
// maximum, BrainPy's inverse-square surrogate and Adam (lr 5e-3, batch 128).
func DefaultConfig() Config {
	return Config{
		Inputs: 100, Hidden: 128, Outputs: 10, Steps: 100, Dt: 1,
		TauMem: 10, TauOut: 20, VTh: 1, VReset: 0, Recurrent: true,
		Integrator: "euler", Surrogate: ops.DefaultSurrogate(),
		InScale: 40, RecScale: 1, OutScale: 10,
		Readout: ReadoutLeaky, Loss: LossMaxCE, TargetHigh: 10, TargetLow: 0,
		LR: 5e-3, Batch: 128, Epochs: 20, Seed: 1,
	}
}

// Validate checks the configuration and names the first bad field.
func (c Config) Validate() error {
	positive := []struct {
		name string
		v    float64
	}{
		{"inputs", float64(c.Inputs)}, {"hidden", float64(c.Hidden)}, {"outputs", float64(c.Outputs)},
		{"steps", float64(c.Steps)}, {"dt", c.Dt}, {"tau_mem", c.TauMem}, {"tau_out", c.TauOut},
		{"lr", c.LR}, {"batch", float64(c.Batch)},
	}
	for _, p := range positive {
		if !(p.v > 0) {
			return fmt.Errorf("%s: must be > 0, got %g", p.name, p.v)
		}
	}
	if c.Epochs < 0 {
		return fmt.Errorf("epochs: must be ≥ 0, got %d", c.Epochs)
	}
	if c.VReset >= c.VTh {
		return fmt.Errorf("v_reset: must be below v_th (%g), got %g", c.VTh, c.VReset)
	}
	if c.Integrator != "euler" && c.Integrator != "exp_euler" {
		return fmt.Errorf("integrator: expected \"euler\" or \"exp_euler\", got %q", c.Integrator)
	}
	if _, err := ops.NewSurrogate(c.Surrogate.Name, c.Surrogate.Alpha); err != nil {
		return fmt.Errorf("surrogate: %w", err)
	}
	if c.Readout != ReadoutLeaky && c.Readout != ReadoutSpiking {
		return fmt.Errorf("readout: expected %q or %q, got %q", ReadoutLeaky, ReadoutSpiking, c.Readout)
	}
	switch c.Loss {
	case LossMaxCE, LossMeanCE:
	case LossCountMSE:
		if c.Readout != ReadoutSpiking {
			return fmt.Errorf("loss: %q needs readout %q, got %q", LossCountMSE, ReadoutSpiking, c.Readout)
		}
	default:
		return fmt.Errorf("loss: expected one of %q, %q, %q, got %q", LossMaxCE, LossMeanCE, LossCountMSE, c.Loss)
	}
	if c.RateReg < 0 {
		return fmt.Errorf("rate_reg: must be ≥ 0, got %g", c.RateReg)
	}
	return nil
}

// CPUFlags are the XLA flags training wants on the CPU plugin (pass them as
// pjrt.Options.CPUFlags when opening the backend). XLA's CPU fusion pass
// fuses the element-wise chains that run through the unrolled steps (the
// membrane potential, the readout, their adjoints) into kernels that each
// recompute a long stretch of the chain: on the 100→128→10 network at batch
// 128, forward + backward over 100 steps takes 502 ms with fusion and 34 ms
// without (over 50 steps, 24 ms and 11 ms).
var CPUFlags = []string{"--xla_disable_hlo_passes=fusion"}
