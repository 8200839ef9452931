package brainc

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"

	"github.com/brainc/brainc/catalog"
	"github.com/brainc/brainc/dynamics"
)

// NeuronModel is a neuron model written in Go: its parameters and state
// variables, as the catalogue describes models, and its graph update.
type NeuronModel struct {
	// Name names the model in specs (model: Name) and ir networks.
	Name string
	// Doc summarises its equations (brainc models prints it).
	Doc string
	// Params are its parameters, with dimensions, defaults and ranges;
	// specs set them in these dimensions' units.
	Params []catalog.ParamSpec
	// States are its state variables (a spec may init and trace them);
	// New's neuron must have these float states, and may add Int32 ones.
	States []catalog.StateSpec
	// NoSpikes marks a model that never spikes (a rate model): projections
	// out of its populations carry a state variable each step (rate
	// coupling), and validation refuses what only spikes drive.
	NoSpikes bool
	// Sends names the state variable a projection out of a population of
	// a NoSpikes model carries by default (its activity; see
	// ir.Projection.Carries); "" makes each projection name one.
	Sends string
	// New builds the model from its parameters (every one present, in base
	// units: ms, mV, Hz): a dynamics.Neuron, whose Update is traced into
	// the step's graph. A model implementing dynamics.PerNeuron may take
	// per-neuron parameters.
	New func(params map[string]float64) (dynamics.Neuron, error)
}

// SynapseModel is a synapse model written in Go, kept per postsynaptic
// neuron (dynamics.Synapse: linear, so that projections can share it).
type SynapseModel struct {
	// Name names the model in specs (synapse: Name).
	Name string
	// Doc summarises its equations.
	Doc string
	// Params are its parameters; States its variables, "g" (what outputs
	// read) first.
	Params []catalog.ParamSpec
	States []catalog.StateSpec
	// New builds the model from its parameters (base units).
	New func(params map[string]float64) (dynamics.Synapse, error)
}

// RegisterNeuron adds a neuron model for the rest of the process: specs
// and ir networks of this program then use it like a built-in one. It is
// refused when the name is taken, when New fails on the defaults, or when
// the neuron's float states differ from States.
func RegisterNeuron(m NeuronModel) error {
	if m.New == nil {
		return fmt.Errorf("brainc: RegisterNeuron %s: New is nil", m.Name)
	}
	spec := catalog.ModelSpec{Name: m.Name, Kind: catalog.KindNeuron, Doc: m.Doc, Source: "registered by the program", Params: m.Params, States: m.States, NoSpikes: m.NoSpikes, Sends: m.Sends}
	n, err := m.New(spec.Defaults())
	if err != nil {
		return fmt.Errorf("brainc: RegisterNeuron %s: New with the default parameters: %w", m.Name, err)
	}
	var floats []string
	for _, sv := range n.States(dtypes.Float32) {
		if sv.DType == dtypes.Float32 {
			floats = append(floats, sv.Name)
		}
	}
	var declared []string
	for _, s := range m.States {
		declared = append(declared, s.Name)
	}
	if !slices.Equal(floats, declared) {
		return fmt.Errorf("brainc: RegisterNeuron %s: the neuron's float states are %v, but States declares %v", m.Name, floats, declared)
	}
	if p := n.Potential(); p != "" && !slices.Contains(declared, p) {
		return fmt.Errorf("brainc: RegisterNeuron %s: the potential %q is not a declared state", m.Name, p)
	}
	if err := catalog.Register(spec); err != nil {
		return err
	}
	return dynamics.RegisterNeuron(m.Name, m.New)
}

// RegisterSynapse adds a synapse model for the rest of the process (see
// RegisterNeuron).
func RegisterSynapse(m SynapseModel) error {
	if m.New == nil {
		return fmt.Errorf("brainc: RegisterSynapse %s: New is nil", m.Name)
	}
	spec := catalog.ModelSpec{Name: m.Name, Kind: catalog.KindSynapse, Doc: m.Doc, Source: "registered by the program", Params: m.Params, States: m.States}
	s, err := m.New(spec.Defaults())
	if err != nil {
		return fmt.Errorf("brainc: RegisterSynapse %s: New with the default parameters: %w", m.Name, err)
	}
	var declared []string
	for _, st := range m.States {
		declared = append(declared, st.Name)
	}
	if !slices.Equal(s.States(), declared) || len(declared) == 0 || declared[0] != "g" {
		return fmt.Errorf("brainc: RegisterSynapse %s: the synapse's states are %v, States declares %v (g first)", m.Name, s.States(), declared)
	}
	if err := catalog.Register(spec); err != nil {
		return err
	}
	return dynamics.RegisterSynapse(m.Name, m.New)
}
