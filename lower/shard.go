package lower

import (
	"fmt"
	"maps"
	"slices"
	"strings"

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
	pad := &Population{Population: &ip, Index: len(p.Pops), Neuron: neuron, Pad: true, OU: -1}
	p.Pops = append(p.Pops, pad)
	return pad, nil
}

// RealNeurons says, per state array (Program.State order), how many of
// its entries along axis 0 are real neurons when it runs over a block
// with a padding population (Options.PadTo): neuron state and spike
// flags, the synaptic states onto the block and its kinetic presynaptic
// states, whose entries from there on are the padding's. It is -1 for the
// others. A checkpoint keeps the real entries only, so that a run with
// another device count (other padding, or none) resumes it.
func (p *Program) RealNeurons() []int {
	out := slices.Repeat([]int{-1}, len(p.State))
	real := map[*Block]int{}
	for _, pop := range p.Pops {
		if pop.Pad {
			real[pop.Block] = pop.Offset
		}
	}
	for b, n := range real {
		for _, i := range b.States {
			out[i] = n
		}
		out[b.Spike] = n
	}
	for _, g := range p.Groups {
		if n, ok := real[g.Post]; ok {
			for _, i := range g.Vars {
				out[i] = n
			}
		}
	}
	for _, ps := range p.PreStates {
		if n, ok := real[ps.Block]; ok {
			for _, i := range ps.Vars {
				out[i] = n
			}
		}
	}
	return out
}

// ShardAxes says how a program's arrays split across devices neuron by
// neuron: for each state array (Program.State order) and each constant
// (Program.Consts order), the axis along which it runs over all the
// neurons of one block, or -1 when it has none or that block's size does
// not divide by devices: those arrays are whole on every device. The
// arrays split are the neurons' state and spike flags, their per-neuron
// parameters and inputs, the synaptic states onto them, their kinetic
// presynaptic states, the per-population arrays (OU currents, STP and
// STDP traces, delay lines) of a population that fills its block, and the
// fan-out tables split by target for that many devices (Block.Split), one
// table per device along axis 0.
func (p *Program) ShardAxes(devices int) (state, consts []int) {
	state = slices.Repeat([]int{-1}, len(p.State))
	consts = slices.Repeat([]int{-1}, len(p.Consts))
	if devices < 2 {
		return state, consts
	}
	split := func(b *Block) bool { return b.Size%devices == 0 }
	whole := func(pop *Population) bool {
		return pop != nil && pop.Offset == 0 && pop.Size == pop.Block.Size && split(pop.Block)
	}
	for _, b := range p.Blocks {
		if !split(b) {
			continue
		}
		for _, i := range b.States {
			state[i] = 0
		}
		state[b.Spike] = 0
		for _, i := range b.VaryArrays {
			consts[i] = 0
		}
	}
	if p.Devices == devices { // tables laid out for another count stay whole on each
		p.splitTableAxes(consts)
	}
	for _, pop := range p.Pops {
		if !whole(pop) {
			continue
		}
		if pop.OU >= 0 {
			state[pop.OU] = 0
		}
		if pop.Input.PerNeuron != nil {
			consts[pop.InputArray] = 0
		}
	}
	for _, g := range p.Groups {
		if split(g.Post) {
			for _, i := range g.Vars {
				state[i] = 0
			}
		}
	}
	for _, ps := range p.PreStates {
		if split(ps.Block) {
			for _, i := range ps.Vars {
				state[i] = 0
			}
		}
	}
	for _, pr := range p.Projs {
		if pr.STP != nil && whole(pr.Pre) {
			state[pr.STPU], state[pr.STPX] = 0, 0
		}
		if d := pr.Delay; d != nil && whole(pr.Target) {
			state[d.Buf] = 1
		}
		if pl := pr.Plastic; pl != nil {
			pre := []int{}
			post := []int{}
			if pl.Eq == nil {
				pre, post = append(pre, pl.XPre), append(post, pl.XPost)
			}
			pre, post = append(pre, slices.Collect(maps.Values(pl.PreVars))...), append(post, slices.Collect(maps.Values(pl.PostVars))...)
			if whole(pr.Pre) {
				for _, i := range pre {
					state[i] = 0
				}
			}
			if whole(pr.Target) {
				for _, i := range post {
					state[i] = 0
				}
			}
		}
	}
	return state, consts
}

// splitTableAxes marks the constants split by target (the program's
// per-device tables, and its devices' indices) as split along axis 0.
func (p *Program) splitTableAxes(consts []int) {
	if p.DeviceIDs >= 0 {
		consts[p.DeviceIDs] = 0
	}
	for _, pr := range append(p.SplitDelayed(), p.SplitScaled()...) {
		consts[pr.Own.Ptr], consts[pr.Own.Indices] = 0, 0
		if pr.Delay != nil {
			consts[pr.Delay.StepsTable] = 0
		}
		if pr.Own.Weights >= 0 {
			consts[pr.Own.Weights] = 0
		}
	}
	for _, b := range p.SplitBlocks() {
		consts[b.FanoutPtr], consts[b.Fanout] = 0, 0
		if len(p.Consts[b.FanoutWeight].Shape) == 2 {
			consts[b.FanoutWeight] = 0
		}
	}
}

// DeviceBytes is what each of devices holds of the program's arrays when
// they split as ShardAxes says: the bytes of state and of constants on one
// device, and how many arrays are split and how many are whole on each.
func (p *Program) DeviceBytes(devices int) (state, consts int64, split, whole int) {
	sa, ca := p.ShardAxes(devices)
	add := func(vars []Var, axes []int) (total int64) {
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

// DescribeShards is how the program splits across devices, for --explain:
// the arrays split by neuron, those whole on every device, and the bytes of
// state and constants on each device.
func (p *Program) DescribeShards(devices int) string {
	state, consts, split, whole := p.DeviceBytes(max(devices, 1))
	if devices < 2 {
		return fmt.Sprintf("one device: state %s, constants %s", humanBytes(state), humanBytes(consts))
	}
	var pads []string
	for _, pop := range p.Pops {
		if pop.Pad {
			pads = append(pads, fmt.Sprintf("%s +%d", pop.Block.Name, pop.Size))
		}
	}
	s := fmt.Sprintf("%d devices: %d arrays split by neuron or target, %d whole on each (scalars, STDP and dense tables, what does not divide); per device: state %s, constants %s",
		devices, split, whole, humanBytes(state), humanBytes(consts))
	if len(pads) > 0 {
		s += "; padded: " + strings.Join(pads, ", ")
	}
	return s
}
