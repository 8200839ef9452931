package lower

import (
	"fmt"
	"slices"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/plan"
)

// SourceSums is how the all_to_all projections get their presynaptic sums:
// every sum they need (of one kind of value over one source population) in
// one matrix product per step, values [Kinds, N] × indicator [N, Pops],
// whatever the number of projections. N is the source populations' neurons
// side by side in Program.Pops order, each kind's row holding its values at
// the populations it is taken over and zeros elsewhere. The product's
// shape and inputs do not depend on how populations are packed, so packing
// changes no sum.
type SourceSums struct {
	// Pops are the source populations, in Program.Pops order; Offsets their
	// first column in the product's N.
	Pops    []*Population
	Offsets []int
	// Kinds name the summed values: "spikes", "pre:<synapse key>" (a
	// kinetic state's transmitted g), "stp:<projection>" (spikes scaled
	// by a projection's short-term plasticity) or "rate:<variable>" (a
	// rate population's variable, ir.Projection.Carries).
	Kinds []string
	// Indicator is the constant indicator matrix,
	// [N, len(Pops)] of the simulation dtype.
	Indicator *Var
}

// KindOf is the kind of value an all_to_all projection sums (see
// SourceSums.Kinds).
func KindOf(pr *Projection) string {
	switch {
	case pr.Carries != "" && pr.Coupling.Kind == ir.CouplingSigmoid:
		c := pr.Coupling
		return fmt.Sprintf("rate:%s|sigmoid(%g,%g,%g)", pr.Carries, c.Max, c.Midpoint, c.Slope)
	case pr.Carries != "":
		return "rate:" + pr.Carries
	case pr.PreState != nil:
		return "pre:" + pr.PreState.Synapse.Key()
	case pr.STP != nil:
		return "stp:" + pr.Name
	}
	return "spikes"
}

// planSourceSums lays out the sums of the all_to_all projections (nil
// without any).
func (p *Program) planSourceSums() {
	s := &SourceSums{}
	for _, pr := range p.Projs {
		if pr.Kernel != plan.KernelAllToAll {
			continue
		}
		if !slices.Contains(s.Pops, pr.Pre) {
			s.Pops = append(s.Pops, pr.Pre)
		}
		if k := KindOf(pr); !slices.Contains(s.Kinds, k) {
			s.Kinds = append(s.Kinds, k)
		}
	}
	if len(s.Pops) == 0 {
		return
	}
	slices.SortFunc(s.Pops, func(a, b *Population) int { return a.Index - b.Index })
	n := 0
	for _, pop := range s.Pops {
		s.Offsets = append(s.Offsets, n)
		n += pop.Size
	}
	ind := make([]float64, n*len(s.Pops))
	for j, pop := range s.Pops {
		for i := range pop.Size {
			ind[(s.Offsets[j]+i)*len(s.Pops)+j] = 1
		}
	}
	s.Indicator = p.addConst("all_to_all.indicator", p.floats(ind, n, len(s.Pops)))
	p.Sums = s
}
