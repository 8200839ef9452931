package lower

import (
	"github.com/brainc/brainc/plan"

	"strings"
)

// describeConsts sets the Holds of every constant not described where
// it was made, once the program is built.
func (p *Program) describeConsts() {
	for _, v := range p.Consts {
		if v.Holds == "" {
			v.Holds = p.constHolds(v)
		}
	}
}

// constHolds is what constant v holds, in words: a projection's weight or
// synapse list, else its name.
func (p *Program) constHolds(v *Var) string {
	for _, pr := range p.Projs {
		if v == pr.Weight {
			return "synaptic weight of " + pr.Name
		}
		if pr.Kernel == plan.KernelDense && (v == pr.PreList || v == pr.PostList) {
			return "synapse list of " + pr.Name + " (" + strings.TrimPrefix(v.Name, pr.Name+".") + "synaptic indices)"
		}
	}
	return v.Name
}
