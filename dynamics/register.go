package dynamics

import (
	"fmt"
	"sync"
)

var (
	registryMu sync.RWMutex
	neurons    = map[string]func(map[string]float64) (Neuron, error){}
	synapses   = map[string]func(map[string]float64) (Synapse, error){}
)

// RegisterNeuron makes NewNeuron build the neuron model name with build
// (given every parameter, in base units). The model's catalogue entry is
// registered apart (catalog.Register); brainc.RegisterNeuron does both.
func RegisterNeuron(name string, build func(params map[string]float64) (Neuron, error)) error {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := neurons[name]; dup {
		return fmt.Errorf("dynamics: neuron model %s is registered already", name)
	}
	neurons[name] = build
	return nil
}

// RegisterSynapse makes NewSynapse build the synapse model name with build.
func RegisterSynapse(name string, build func(params map[string]float64) (Synapse, error)) error {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := synapses[name]; dup {
		return fmt.Errorf("dynamics: synapse model %s is registered already", name)
	}
	synapses[name] = build
	return nil
}

// registeredNeuron builds a registered neuron model; ok is false for a
// name never registered.
func registeredNeuron(name string, p map[string]float64) (n Neuron, ok bool, err error) {
	registryMu.RLock()
	build, ok := neurons[name]
	registryMu.RUnlock()
	if !ok {
		return nil, false, nil
	}
	n, err = build(p)
	if err == nil && n == nil {
		err = fmt.Errorf("neuron model %s: its builder returned no neuron", name)
	}
	return n, true, err
}

// registeredSynapse builds a registered synapse model.
func registeredSynapse(name string, p map[string]float64) (s Synapse, ok bool, err error) {
	registryMu.RLock()
	build, ok := synapses[name]
	registryMu.RUnlock()
	if !ok {
		return nil, false, nil
	}
	s, err = build(p)
	if err == nil && s == nil {
		err = fmt.Errorf("synapse model %s: its builder returned no synapse", name)
	}
	return s, true, err
}
