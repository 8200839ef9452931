// Package plan makes the decisions a lowering takes from the IR alone,
// before anything is built: which kernel each projection gets, the memory
// a run needs and whether the machine has it, how many devices a network
// may split across. It reads no file and builds no table.
package plan

import (
	"fmt"

	"github.com/brainc/brainc/ir"
)

// Kernel names a spike-propagation operator.
type Kernel string

// Propagation kernels.
const (
	// KernelEvent touches only rows of neurons that fired (ops.EventPropagate).
	KernelEvent Kernel = "event"
	// KernelDense touches every synapse (ops.DensePropagate); differentiable.
	KernelDense Kernel = "dense"
	// KernelProcedural stores no connectivity: the rows of neurons that
	// fired are regenerated in the graph each step (ops.ProceduralEvent).
	KernelProcedural Kernel = "procedural"
	// KernelAllToAll stores no connectivity either: an all_to_all projection
	// with one weight gives every target w·Σ_j s_j (less its own term when
	// self-connections are excluded), O(N_pre + N_post) per step.
	KernelAllToAll Kernel = "all_to_all"
	// KernelPoisson draws a Poisson input's counts per neuron and step
	// (ops.HashPoisson); there is no presynaptic population.
	KernelPoisson Kernel = "poisson"
)

// autoEventMinSynapses is the synapse count from which "auto" picks the
// event-driven kernel: below it, the per-synapse pass is as cheap as
// compaction and gathering.
const autoEventMinSynapses = 4096

// autoProceduralMinSynapses is the expected synapse count from which "auto"
// regenerates fixed_prob connectivity instead of storing it: 32M synapses,
// 128 MiB of CSR indices for one projection. Below it, storing is faster
// (COBA, in-degree 80, XLA CPU plugin, brainc bench scale, 1 s: stored CSR
// 1.1 / 5.3 / 31.9 s of run at 4k / 40k / 400k neurons against 1.5 / 6.5 /
// 44.5 s regenerated); above it, memory and the host's build time decide.
const autoProceduralMinSynapses = 32 << 20

// ChooseProcedural decides, before any connectivity is built, whether a
// projection regenerates its connectivity: when forced or set in the spec,
// or ("auto") for fixed_prob projections with at least
// autoProceduralMinSynapses expected synapses.
func ChooseProcedural(spec, force Kernel, ipr *ir.Projection, nPre, nPost int) (Kernel, string, bool) {
	fixedProb := ipr.Conn.Rule == ir.ConnFixedProb && ipr.Conn.Prob > 0 && ipr.Conn.Prob < 1
	expected := float64(nPre) * float64(nPost) * ipr.Conn.Prob
	switch {
	case force == KernelProcedural && fixedProb:
		return KernelProcedural, "forced by option", true
	case force != "":
		return "", "", false
	case spec == KernelProcedural && fixedProb:
		return KernelProcedural, "set in spec", true
	case spec == "auto" || spec == "":
		if fixedProb && expected >= autoProceduralMinSynapses {
			return KernelProcedural, fmt.Sprintf("auto: %.3g expected synapses ≥ %d, regenerating rows holds no connectivity", expected, autoProceduralMinSynapses), true
		}
	}
	return "", "", false
}

// ChooseKernel picks a stored projection's kernel from its synapse count; copies is how many
// copies of it a batch holds (1 alone, see ir.Network.Replicas): the auto
// rule weighs their synapses together, since every copy's dense pass is a
// kernel of its own while event copies share their source's fan-out table.
func ChooseKernel(spec, force Kernel, synapses, copies int) (Kernel, string) {
	note := ""
	if force == KernelProcedural { // not applicable to this rule: choose as auto
		force, note = "", " (procedural needs fixed_prob with 0 < p < 1)"
	}
	switch {
	case force != "":
		return force, "forced by option"
	case spec == KernelEvent || spec == KernelDense:
		return spec, "set in spec"
	case copies > 1 && synapses*copies >= autoEventMinSynapses:
		return KernelEvent, fmt.Sprintf("auto: %d copies of %d synapses ≥ %d, one fan-out table for all copies%s", copies, synapses, autoEventMinSynapses, note)
	case synapses >= autoEventMinSynapses:
		return KernelEvent, fmt.Sprintf("auto: %d synapses ≥ %d, sparse firing touches few rows%s", synapses, autoEventMinSynapses, note)
	}
	return KernelDense, fmt.Sprintf("auto: %d synapses < %d, a full pass is as cheap as compaction%s", synapses, autoEventMinSynapses, note)
}
