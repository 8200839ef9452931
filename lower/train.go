package lower

import (
	"fmt"
	"strings"

	"github.com/brainc/brainc/dynamics"
	"github.com/brainc/brainc/plan"
)

// TrainableConsts are the names of the float constants a training may take
// gradients of (weights, per-neuron parameter arrays, input arrays).
func (p *Program) TrainableConsts() []string {
	var out []string
	for _, v := range p.Consts {
		if v.DType == p.DType {
			out = append(out, v.Name)
		}
	}
	return out
}

// TrainCheck refuses a program whose step has a part without a backward
// rule: the gradient would be silently zero (or wrong) through it. Each
// refusal names the projection or population, its spec line and why.
func (p *Program) TrainCheck() error {
	var errs []string
	if p.Devices > 1 {
		errs = append(errs, fmt.Sprintf("the program is split across %d devices; training runs on one", p.Devices))
	}
	for _, pr := range p.Projs {
		why := ""
		switch {
		case pr.Kernel == plan.KernelEvent:
			why = "the event kernel reads firing indices, which carry no gradient: give the projection kernel: dense (or lower with the dense kernel)"
		case pr.Kernel == plan.KernelProcedural:
			why = "the procedural kernel redraws its synapses every step and has no backward rule yet: store the connectivity (kernel: dense)"
		case pr.Plastic != nil:
			why = "a learning rule (stdp/plasticity) and gradient descent on one projection are not combined yet"
		case pr.PreState != nil:
			why = "a kinetic synapse opens on a select of the spike, which carries no gradient: use an exponential synapse"
		}
		if why != "" {
			errs = append(errs, fmt.Sprintf("projection %s%s: %s", pr.Name, lineOf(pr.Line), why))
		}
	}
	for _, b := range p.Blocks {
		if eq, ok := b.Neuron.(interface{ SurrogateReady() string }); ok {
			if why := eq.SurrogateReady(); why != "" {
				for _, pop := range b.Pops {
					errs = append(errs, fmt.Sprintf("population %s%s: %s", pop.Name, lineOf(pop.Line), why))
				}
			}
		}
		if !surrogateModel(b.Neuron) {
			for _, pop := range b.Pops {
				if !pop.Pad {
					errs = append(errs, fmt.Sprintf("population %s%s: model %s gives no surrogate gradient of its spikes", pop.Name, lineOf(pop.Line), pop.Model))
				}
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("lower: the network cannot be trained:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

// surrogateModel reports whether a model's spikes carry a surrogate
// gradient in training (dynamics.Step.Surrogate), or it emits no spikes
// that depend on its state: spike sources and rate models.
func surrogateModel(n dynamics.Neuron) bool {
	switch n.(type) {
	case *dynamics.LifRef, *dynamics.ExpIF, *dynamics.AdEx, *dynamics.QIF, *dynamics.Izhikevich, *dynamics.AdQuaIF,
		*dynamics.HH, *dynamics.TraubHH, *dynamics.MorrisLecar, *dynamics.WangBuzsaki, *dynamics.GIF,
		*dynamics.FitzHughNagumo, *dynamics.Equations,
		*dynamics.Poisson, *dynamics.SpikeTimes, *dynamics.WilsonCowan, *dynamics.StuartLandau, *dynamics.Kuramoto:
		return true
	}
	return false
}

// lineOf is " (line n)" for a spec line, "" for none.
func lineOf(line int) string {
	if line <= 0 {
		return ""
	}
	return fmt.Sprintf(" (line %d)", line)
}
