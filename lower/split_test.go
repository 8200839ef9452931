package lower

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/plan"
)

// synapse is one entry of a fan-out table as the step sees it: the
// window (target block, slot base) it feeds, its target neuron there and
// its weight.
type synapse struct {
	window, neuron int
	weight         float64
}

// wholeRows reads the rows of block b's whole fan-out table.
func wholeRows(t *testing.T, p *Program, b *Block) [][]synapse {
	type key struct {
		post *Block
		base int
	}
	win := map[key]int{}
	slotWin, slotNeuron := make([]int, b.Fan.Slots), make([]int, b.Fan.Slots)
	for _, pr := range b.Events {
		k := key{pr.Part.Group.Post, pr.Segment.Start - pr.Target.Offset}
		if _, ok := win[k]; !ok {
			win[k] = len(win)
		}
		for j := range pr.Segment.Size {
			slotWin[pr.Segment.Start+j], slotNeuron[pr.Segment.Start+j] = win[k], pr.Target.Offset+j
		}
	}
	ptr := b.Fan.Ptr.Value.Value().([]int32)
	idx := b.Fan.Targets.Value.Value().([]int32)
	weight := func(k int, s int32) float64 {
		switch w := b.Fan.Weight.Value.Value().(type) {
		case float32:
			return float64(w)
		case []float32:
			if b.Fan.PerSynapse {
				return float64(w[k])
			}
			return float64(w[s])
		}
		t.Fatalf("weights of type %T", b.Fan.Weight.Value.Value())
		return 0
	}
	rows := make([][]synapse, b.Size)
	for i := range b.Size {
		for k := ptr[i]; k < ptr[i+1]; k++ {
			s := idx[k]
			rows[i] = append(rows[i], synapse{slotWin[s], slotNeuron[s], weight(int(k), s)})
		}
	}
	return rows
}

// splitRows reads device d's rows of block b's split fan-out table.
func splitRows(t *testing.T, p *Program, b *Block, d int) [][]synapse {
	sp := b.Split
	ptr := b.Fan.Ptr.Value.Value().([][]int32)[d]
	idx := b.Fan.Targets.Value.Value().([][]int32)[d]
	weight := func(k int, c int32) float64 {
		switch w := b.Fan.Weight.Value.Value().(type) {
		case float32:
			return float64(w)
		case [][]float32:
			if b.Fan.PerSynapse {
				return float64(w[d][k])
			}
			return float64(w[d][c])
		}
		t.Fatalf("weights of type %T", b.Fan.Weight.Value.Value())
		return 0
	}
	rows := make([][]synapse, b.Size)
	for i := range b.Size {
		for k := ptr[i]; k < ptr[i+1]; k++ {
			c := idx[k]
			require.Less(t, c, int32(sp.Cols), "row %d of device %d", i, d)
			for w, win := range sp.Windows {
				share := win.Block.Size / sp.Devices
				if int(c) >= win.Col && int(c) < win.Col+share {
					rows[i] = append(rows[i], synapse{w, d*share + int(c) - win.Col, weight(int(k), c)})
				}
			}
		}
	}
	for k := ptr[b.Size]; k < int32(len(idx)); k++ {
		require.Equal(t, int32(sp.Cols), idx[k], "padding of device %d", d)
	}
	return rows
}

// Split by target across 2, 3 and 4 devices, block A+B's fan-out table
// (A2A and B2A into A: two windows, with one weight or one per slot)
// holds on device d exactly the whole table's synapses onto d's neurons,
// row by row in the whole table's order, with their weights; ShardAxes
// splits the tables, and the bytes per device fall.
func TestSplitFanout(t *testing.T) {
	for _, w := range []string{"1", "2"} {
		net, err := netspec.Parse([]byte(strings.Replace(spec, "weight: 1, synapse: Expon, output: CUBA, kernel: event", "weight: "+w+", synapse: Expon, output: CUBA, kernel: event", 1)), "t.yaml")
		require.NoError(t, err)
		one, err := Build(net, Options{})
		require.NoError(t, err)
		whole := wholeRows(t, one, one.Blocks[0])
		assert.Nil(t, one.Blocks[0].Split)
		for _, devices := range []int{2, 3, 4} {
			name := fmt.Sprintf("weight %s, %d devices", w, devices)
			p, err := Build(net, Options{PadTo: devices})
			require.NoError(t, err)
			b := p.Blocks[0]
			require.NotNil(t, b.Split, name)
			sp := b.Split
			assert.Equal(t, devices, p.Devices)
			require.Len(t, sp.Windows, 2, "A2A's slots and B2A's own: %s", name)
			assert.Equal(t, 2*b.Size/devices, sp.Cols, name)
			assert.Equal(t, w != "1", len(b.Fan.Weight.Shape) == 2, name)
			share := b.Size / devices
			total := 0
			for d := range devices {
				rows := splitRows(t, p, b, d)
				for i := range b.Size {
					var want []synapse
					if i < len(whole) {
						for _, s := range whole[i] {
							if s.neuron/share == d {
								want = append(want, s)
							}
						}
					}
					require.Equal(t, want, rows[i], "%s: row %d on device %d", name, i, d)
					total += len(rows[i])
				}
			}
			synapses := 0
			for _, r := range whole {
				synapses += len(r)
			}
			assert.Equal(t, synapses, total, "%s: every synapse on one device", name)
			_, consts := p.ShardAxes(devices)
			assert.Equal(t, 0, consts[b.Fan.Targets.Index], name)
			assert.Equal(t, 0, consts[b.Fan.Ptr.Index], name)
			_, oneConsts, _, _ := one.DeviceBytes(1)
			_, ct, _, _ := p.DeviceBytes(devices)
			assert.Less(t, ct, oneConsts*2/int64(devices), "%s: the tables split", name)
		}
	}
	// Unpacked, A (300 neurons) does not divide by 7: the tables into it
	// stay whole.
	net, err := netspec.Parse([]byte(spec), "t.yaml")
	require.NoError(t, err)
	p, err := Build(net, Options{PadTo: 7, NoPack: true})
	require.NoError(t, err)
	assert.Empty(t, p.SplitBlocks())
	_, consts := p.ShardAxes(7)
	for _, b := range p.FanBlocks() {
		assert.Equal(t, -1, consts[b.Fan.Targets.Index], b.Name)
	}
}

// A procedural projection into a block that splits is split by target:
// the devices' indices become a constant split one per device, and
// --explain says so; on one device nothing is split.
func TestSplitProcedural(t *testing.T) {
	net, err := netspec.Parse([]byte(spec), "t.yaml")
	require.NoError(t, err)
	p, err := Build(net, Options{PadTo: 4, Kernel: plan.KernelProcedural})
	require.NoError(t, err)
	split := p.SplitProcedural()
	require.NotEmpty(t, split)
	for _, pr := range split {
		assert.Equal(t, plan.KernelProcedural, pr.Kernel, pr.Name)
		assert.Equal(t, 80, p.SplitShare(pr), "%s: a quarter of block A+B", pr.Name)
	}
	require.NotNil(t, p.DeviceIDs)
	assert.Equal(t, []int32{0, 1, 2, 3}, p.DeviceIDs.Value.Value())
	_, consts := p.ShardAxes(4)
	assert.Equal(t, 0, consts[p.DeviceIDs.Index])
	assert.True(t, p.SplitByTarget())
	one, err := Build(net, Options{Kernel: plan.KernelProcedural})
	require.NoError(t, err)
	assert.Empty(t, one.SplitProcedural())
	assert.Nil(t, one.DeviceIDs)
	assert.False(t, one.SplitByTarget())
}

// ownSpec has two event-driven projections with own tables: EE with
// per-synapse delays (drawn uniform), into E, a block of its own, and EI
// with STP, into I, the last 40 neurons of block E2+I (another
// integrator: not packed with E).
const ownSpec = `
name: d
dt: 0.1 ms
populations:
  E: {size: 120, model: LifRef}
  E2: {size: 120, model: LifRef, integrator: rk2}
  I: {size: 40, model: LifRef, integrator: rk2}
projections:
  EE: {pre: E, post: E, conn: {fixed_prob: 0.2}, weight: 0.5, delay: uniform(0.5 ms, 3 ms), kernel: event, synapse: Expon, output: CUBA}
  EI: {pre: E, post: I, conn: {fixed_prob: 0.3}, weight: 0.5, stp: {U: 0.2, tau_d: 150 ms, tau_f: 400 ms}, kernel: event, synapse: Expon, output: CUBA}
monitors: {spikes: [E]}
`

// ownRow is one synapse of an own table: target neuron (in its block) and
// delay (0 without).
type ownRow struct{ target, delay int32 }

// An own table split by target (per-synapse delays, or rows scaled by
// STP) holds on device d exactly the whole table's synapses onto d's
// neurons of the target block, row by row in order, with their delays;
// ShardAxes splits it (and the ring buffer), --explain says so. EI's
// targets, the end of block E2+I, all lie on the last device.
func TestSplitOwnTables(t *testing.T) {
	net, err := netspec.Parse([]byte(ownSpec), "d.yaml")
	require.NoError(t, err)
	one, err := Build(net, Options{})
	require.NoError(t, err)
	require.Len(t, one.DelayedEvents(), 1)
	require.Len(t, one.ScaledEvents(), 1)
	type table struct{ ptr, targets, delays []int32 }
	read := func(p *Program, pr *Projection, d int) table {
		at := func(v *Var) []int32 {
			if d < 0 {
				return v.Value.Value().([]int32)
			}
			return v.Value.Value().([][]int32)[d]
		}
		tb := table{ptr: at(pr.Own.Ptr), targets: at(pr.Own.Indices)}
		if pr.Delay != nil {
			tb.delays = at(pr.Delay.StepsTable)
		}
		return tb
	}
	rows := func(tb table, i int, shift int32) []ownRow {
		var out []ownRow
		for k := tb.ptr[i]; k < tb.ptr[i+1]; k++ {
			r := ownRow{target: tb.targets[k] + shift}
			if tb.delays != nil {
				r.delay = tb.delays[k]
			}
			out = append(out, r)
		}
		return out
	}
	for _, devices := range []int{2, 4} {
		p, err := Build(net, Options{PadTo: devices})
		require.NoError(t, err)
		split := append(p.SplitDelayed(), p.SplitScaled()...)
		require.Len(t, split, 2, "%d devices", devices)
		for k, sp := range split {
			whole := read(one, append(one.DelayedEvents(), one.ScaledEvents()...)[k], -1)
			share := sp.Target.Block.Size / devices
			offset := int32(sp.Target.Offset)
			total := 0
			for d := range devices {
				local := read(p, sp, d)
				for i := range 120 {
					var want []ownRow
					for _, r := range rows(whole, i, offset) {
						if int(r.target)/share == d {
							want = append(want, r)
						}
					}
					got := rows(local, i, int32(d*share))
					require.Equal(t, want, got, "%s, %d devices: row %d on device %d", sp.Name, devices, i, d)
					total += len(got)
				}
				for _, x := range local.targets[local.ptr[120]:] {
					require.Equal(t, int32(share), x, "padding")
				}
			}
			assert.Equal(t, int(whole.ptr[120]), total, "%s: every synapse on one device", sp.Name)
			_, consts := p.ShardAxes(devices)
			assert.Equal(t, 0, consts[sp.Own.Indices.Index], sp.Name)
		}
		state, _ := p.ShardAxes(devices)
		assert.Equal(t, 1, state[split[0].Delay.Buf.Index], "the ring buffer splits by target")
	}
}
