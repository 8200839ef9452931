package lower

import (
	"fmt"
	"maps"
	"slices"

	"github.com/brainc/brainc/ir"
)

// PadSuffix ends the name of a padding population (see Options.PadTo).
const PadSuffix = "__pad"

// MaxDevices bounds the devices a program is split across (and so
// Options.PadTo): past it the padding and the per-device buffers cost more
// than any machine brainc targets has devices.
const MaxDevices = ir.MaxDevices

// padPopulation lowers the padding of a block whose last population is
// last: n neurons of last's model and parameters (each per-neuron
// parameter at last's first value), starting at last's first neuron's
// initial values, without input, projections or monitors. Its name
// (last's with PadSuffix) gives it random streams of its own, so padding
// changes no draw of the network's populations.
func (p *Program) padPopulation(last *Population, n int) (*Population, error) {
	ip := *last.Population
	ip.Name, ip.Size, ip.Input, ip.Vary = last.Name+PadSuffix, n, ir.Input{}, nil
	ip.Params = maps.Clone(last.Params)
	for name, v := range last.Values {
		ip.Params[name] = v[0]
	}
	ip.Init = map[string]ir.Init{}
	for _, sv := range last.Neuron.States(p.DType) {
		if first := p.drawInit(last, sv.Name); len(first) > 0 {
			ip.Init[sv.Name] = ir.Init{Kind: ir.InitConst, A: first[0]}
		}
	}
	neuron, err := newNeuron(&ip)
	if err != nil {
		return nil, fmt.Errorf("padding %s: %w", last.Name, err)
	}
	pad := &Population{Population: &ip, Index: len(p.Pops), Neuron: neuron, Pad: true}
	p.Pops = append(p.Pops, pad)
	return pad, nil
}

// RealNeurons says, per state array (Program.State order), how many of
// its entries along axis 0 are real neurons when it runs over a block
// with a padding population (Options.PadTo): neuron state and spike
// flags, the synaptic states onto the block and its kinetic presynaptic
// states (Var.Over), whose entries from there on are the padding's. It
// is -1 for the others. A checkpoint keeps the real entries only, so that
// a run with another device count (other padding, or none) resumes it.
func (p *Program) RealNeurons() []int {
	out := slices.Repeat([]int{-1}, len(p.State))
	real := map[*Block]int{}
	for _, pop := range p.Pops {
		if pop.Pad {
			real[pop.Block] = pop.Offset
		}
	}
	for i, v := range p.State {
		if n, ok := real[v.Over]; ok && v.Axis == 0 { // real holds no nil block
			out[i] = n
		}
	}
	return out
}

// ShardAxes says how a program's arrays split across devices neuron by
// neuron: for each state array (Program.State order) and each constant
// (Program.Consts order), the axis along which it runs over all the
// neurons of one block, or -1 when it has none or that block's size does
// not divide by devices: those arrays are whole on every device. Each
// array says what it runs over (Var.Over, Var.OverPop, Var.Axis): the
// neurons' state and spike flags, their per-neuron parameters and the
// synaptic and kinetic states onto them run over a block; the
// per-population arrays (OU currents, inputs per neuron, STP and STDP
// traces, delay lines) split when their population fills its block. The
// tables laid out one per device (Var.ByDevice: fan-out and own tables
// split by target, the devices' indices) split along axis 0 when the
// program was laid out for that many devices, and are whole on each
// otherwise.
func (p *Program) ShardAxes(devices int) (state, consts []int) {
	axis := func(v *Var) int {
		if devices < 2 {
			return -1
		}
		switch {
		case v.ByDevice:
			if p.Devices == devices {
				return v.Axis
			}
		case v.Over != nil:
			if v.Over.Size%devices == 0 {
				return v.Axis
			}
		case v.OverPop != nil:
			if pop := v.OverPop; pop.Offset == 0 && pop.Size == pop.Block.Size && pop.Block.Size%devices == 0 {
				return v.Axis
			}
		}
		return -1
	}
	state, consts = make([]int, len(p.State)), make([]int, len(p.Consts))
	for i, v := range p.State {
		state[i] = axis(v)
	}
	for i, v := range p.Consts {
		consts[i] = axis(v)
	}
	return state, consts
}

// DeviceBytes is what each of devices holds of the program's arrays when
// they split as ShardAxes says: the bytes of state and of constants on one
// device, and how many arrays are split and how many are whole on each.
func (p *Program) DeviceBytes(devices int) (state, consts int64, split, whole int) {
	sa, ca := p.ShardAxes(devices)
	add := func(vars []*Var, axes []int) (total int64) {
		for i, v := range vars {
			b := v.Bytes()
			if axes[i] >= 0 {
				split++
				b /= int64(devices)
			} else {
				whole++
			}
			total += b
		}
		return total
	}
	state, consts = add(p.State, sa), add(p.Consts, ca)
	return state, consts, split, whole
}
