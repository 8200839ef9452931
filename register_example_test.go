package brainc_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL

	"github.com/brainc/brainc"
	"github.com/brainc/brainc/catalog"
	"github.com/brainc/brainc/dynamics"
	"github.com/brainc/brainc/ir"
)

// adaptiveLIF is a leaky integrate-and-fire neuron with a spike-triggered
// adaptation current w:
//
//	tau dV/dt = −V − w + I,   tau_w dw/dt = −w
//
// V ≥ 1 mV is a spike: V ← 0, w ← w + b (V, w and b in mV).
type adaptiveLIF struct{ tau, tauW, b float64 }

func (n *adaptiveLIF) States(float dtypes.DType) []dynamics.StateVar {
	return []dynamics.StateVar{{Name: "V", DType: float}, {Name: "w", DType: float}}
}

func (n *adaptiveLIF) Potential() string { return "V" }

func (n *adaptiveLIF) Update(s dynamics.Vars, input dynamics.Current, step dynamics.Step, m dynamics.Method) (dynamics.Vars, *Node) {
	i := input(s["V"]) // synaptic and external input, held over the step
	next := m(func(x dynamics.Vars) dynamics.Vars {
		return dynamics.Vars{
			"V": DivScalar(Sub(Sub(i, x["w"]), x["V"]), n.tau),
			"w": DivScalar(Neg(x["w"]), n.tauW),
		}
	}, s, step.Dt)
	spike := GreaterOrEqual(next["V"], OnesLike(next["V"]))
	next["V"] = Where(spike, ZerosLike(next["V"]), next["V"])
	next["w"] = Where(spike, AddScalar(next["w"], n.b), next["w"])
	return next, spike
}

// A neuron model written in Go, registered under a name, then used in a
// network like a built-in model: its intervals lengthen as w builds up.
func ExampleRegisterNeuron() {
	err := brainc.RegisterNeuron(brainc.NeuronModel{
		Name: "AdaptiveLIF",
		Doc:  "tau dV/dt = -V - w + I, tau_w dw/dt = -w; V >= 1: V = 0, w += b",
		Params: []catalog.ParamSpec{
			{Name: "tau", Dim: catalog.Time, Default: 10, Positive: true, Doc: "membrane time constant"},
			{Name: "tau_w", Dim: catalog.Time, Default: 100, Positive: true, Doc: "adaptation time constant"},
			{Name: "b", Dim: catalog.Voltage, Default: 0.2, Doc: "adaptation jump"},
		},
		// Each state's Dim lets specs give its values with units
		// (init: {V: 0.5 mV}); without it they would be pure numbers.
		States: []catalog.StateSpec{{Name: "V", Dim: catalog.Voltage, Doc: "potential"}, {Name: "w", Dim: catalog.Voltage, Doc: "adaptation"}},
		New: func(p map[string]float64) (dynamics.Neuron, error) {
			return &adaptiveLIF{tau: p["tau"], tauW: p["tau_w"], b: p["b"]}, nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	net := &ir.Network{
		Name: "adapting", Dt: 0.1, Duration: 200,
		Populations: []*ir.Population{{Name: "N", Size: 1, Model: "AdaptiveLIF",
			Params: map[string]float64{"tau": 10, "b": 0.3}, Input: ir.Input{Kind: ir.InputConstant, Value: 2}}},
		Monitors: ir.Monitors{Spikes: []string{"N"}},
	}
	res, err := brainc.Run(context.Background(), net, brainc.Options{Backend: "cpu"})
	if err != nil {
		log.Fatal(err)
	}
	t := res.Spikes["N"].Times
	fmt.Printf("%d spikes; first intervals %.1f, %.1f, %.1f ms; last %.1f ms\n", len(t), t[1]-t[0], t[2]-t[1], t[3]-t[2], t[len(t)-1]-t[len(t)-2])
	// Output: 9 spikes; first intervals 8.8, 11.6, 15.7 ms; last 29.7 ms
}
