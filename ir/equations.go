package ir

import (
	"github.com/brainc/brainc/catalog"
	"github.com/brainc/brainc/eqs"
)

// EquationsModel is the Model of a population whose neurons are given by
// equations (Population.Equations).
const EquationsModel = "equations"

// ModelSpec describes the population's neuron model: the catalogue's, or
// for an equation model one made from its equations (its parameters with
// their values as defaults, its states starting at 0 unless init says
// otherwise); ok is false for a model that is neither.
func (p *Population) ModelSpec() (m *catalog.ModelSpec, ok bool) {
	if p.Model != EquationsModel {
		return catalog.LookupModel(catalog.KindNeuron, p.Model)
	}
	if p.Equations == nil {
		return nil, false
	}
	return EquationSpec(p.Equations), true
}

// EquationSpec is the catalogue-style description of an equation model.
// Dimensions other than time and voltage are Dimensionless here: the
// values are in eqs' coherent units, whose dimensions eqs checks.
func EquationSpec(n *eqs.Neuron) *catalog.ModelSpec {
	m := &catalog.ModelSpec{Name: EquationsModel, Kind: catalog.KindNeuron, Doc: "a model given by equations", NoSpikes: n.Threshold == nil}
	for _, name := range n.Params {
		m.Params = append(m.Params, catalog.ParamSpec{Name: name, Dim: catalogDim(n.Dims[name]), Default: n.Values[name]})
	}
	for _, eq := range n.States {
		m.States = append(m.States, catalog.StateSpec{Name: eq.Var, Dim: catalogDim(eq.Dim), Doc: eq.Text})
	}
	return m
}

// catalogDim is the catalogue dimension of an eqs dimension: time and
// voltage keep theirs (their coherent units are ms and mV), the others
// are Dimensionless.
func catalogDim(d eqs.Dim) catalog.Dim {
	switch d {
	case eqs.Time:
		return catalog.Time
	case eqs.Voltage:
		return catalog.Voltage
	}
	return catalog.Dimensionless
}

// ModelSpec describes a projection's synapse or output model: the
// catalogue's, or one made from its equations or expression.
func (c Component) ModelSpec(kind catalog.ModelKind) (*catalog.ModelSpec, bool) {
	if c.Model != EquationsModel {
		return catalog.LookupModel(kind, c.Model)
	}
	m := &catalog.ModelSpec{Name: EquationsModel, Kind: kind, Doc: "a model given by equations"}
	switch {
	case kind == catalog.KindSynapse && c.Synapse != nil:
		for _, name := range c.Synapse.Params {
			m.Params = append(m.Params, catalog.ParamSpec{Name: name, Dim: catalogDim(c.Synapse.Dims[name]), Default: c.Synapse.Values[name]})
		}
		for _, eq := range c.Synapse.States {
			m.States = append(m.States, catalog.StateSpec{Name: eq.Var, Dim: catalogDim(eq.Dim), Doc: eq.Text})
		}
	case kind == catalog.KindOutput && c.Output != nil:
		for _, name := range c.Output.Params {
			m.Params = append(m.Params, catalog.ParamSpec{Name: name, Dim: catalogDim(c.Output.Dims[name]), Default: c.Output.Values[name]})
		}
	default:
		return nil, false
	}
	return m, true
}

// Plastic reports whether the projection's weights change (stdp, or a
// plasticity rule given by equations).
func (pr *Projection) Plastic() bool { return pr.STDP != nil || pr.Plasticity != nil }
