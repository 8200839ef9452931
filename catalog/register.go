package catalog

import (
	"fmt"
	"regexp"
	"sync"
)

var (
	registeredMu sync.RWMutex
	// registered are the models a program added with Register.
	registered []*ModelSpec
)

var modelNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// Register adds a model to the catalogue for the rest of the process, after
// which specs name it like a built-in model. The name must be new among
// models of its kind and a letter followed by letters, digits or '_';
// parameter and state names must be unique; a state's DefaultFrom must
// name a parameter. The spec is copied.
func Register(m ModelSpec) error {
	if !modelNameRE.MatchString(m.Name) {
		return fmt.Errorf("catalog: model name %q: expected a letter followed by letters, digits or '_'", m.Name)
	}
	switch m.Kind {
	case KindNeuron, KindSynapse, KindOutput:
	default:
		return fmt.Errorf("catalog: model %s: unknown kind %q (expected neuron, synapse or output)", m.Name, m.Kind)
	}
	seen := map[string]string{}
	for _, p := range m.Params {
		if prev, dup := seen[p.Name]; dup || !modelNameRE.MatchString(p.Name) {
			return fmt.Errorf("catalog: model %s: parameter name %q is invalid or repeats a %s", m.Name, p.Name, prev)
		}
		seen[p.Name] = "parameter"
	}
	for _, s := range m.States {
		if prev, dup := seen[s.Name]; dup || !modelNameRE.MatchString(s.Name) {
			return fmt.Errorf("catalog: model %s: state name %q is invalid or repeats a %s", m.Name, s.Name, prev)
		}
		seen[s.Name] = "state"
		if s.DefaultFrom != "" && seen[s.DefaultFrom] != "parameter" {
			return fmt.Errorf("catalog: model %s: state %s defaults from %q, which is not a parameter", m.Name, s.Name, s.DefaultFrom)
		}
	}
	if m.Kind == KindNeuron && len(m.States) == 0 {
		return fmt.Errorf("catalog: neuron model %s declares no state variables", m.Name)
	}
	registeredMu.Lock()
	defer registeredMu.Unlock()
	if _, ok := lookup(m.Kind, m.Name); ok {
		return fmt.Errorf("catalog: a %s model named %s exists already", m.Kind, m.Name)
	}
	c := m
	c.Params = append([]ParamSpec(nil), m.Params...)
	c.States = append([]StateSpec(nil), m.States...)
	c.Below = append([][2]string(nil), m.Below...)
	registered = append(registered, &c)
	return nil
}
