package jit

import (
	"fmt"
	"slices"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/loop"
	"github.com/brainc/brainc/lower"
)

// sharding is how a loop run lays its arrays across devices: each state
// array and constant is split along its axis (lower.Program.ShardAxes) or,
// at -1, whole on every device.
type sharding struct {
	devices       int
	state, consts []int
}

func newSharding(p *lower.Program, devices int) *sharding {
	s := &sharding{devices: max(devices, 1)}
	s.state, s.consts = p.ShardAxes(s.devices)
	return s
}

// args maps the loop program's @main arguments that are split to their
// axis: the state, then the constants from position consts on (after the
// events row, when there is one: signature.Step.Consts).
func (s *sharding) args(consts int) map[int]int {
	out := map[int]int{}
	for i, a := range s.state {
		if a >= 0 {
			out[i] = a
		}
	}
	for j, a := range s.consts {
		if a >= 0 {
			out[consts+j] = a
		}
	}
	return out
}

// shard is device d's share of flat data of the given dimensions split
// along axis (the whole data when axis < 0 or there is one device), with
// its dimensions.
func (s *sharding) shard(flat any, dims []int, axis, d int) (any, []int) {
	if axis < 0 || s.devices == 1 {
		return flat, dims
	}
	outer, inner := 1, 1
	for _, n := range dims[:axis] {
		outer *= n
	}
	for _, n := range dims[axis+1:] {
		inner *= n
	}
	part := dims[axis] / s.devices
	sub := slices.Clone(dims)
	sub[axis] = part
	var starts []int // device d's runs of flat, each part·inner long
	for o := range outer {
		starts = append(starts, (o*dims[axis]+d*part)*inner)
	}
	switch v := flat.(type) {
	case []float32:
		return runs(v, starts, part*inner), sub
	case []float64:
		return runs(v, starts, part*inner), sub
	case []int32:
		return runs(v, starts, part*inner), sub
	case []bool:
		return runs(v, starts, part*inner), sub
	}
	panic(fmt.Sprintf("jit: sharding data of type %T", flat))
}

// runs joins the runs of v of length n from each start (one run: a
// sub-slice, not a copy).
func runs[T any](v []T, starts []int, n int) []T {
	if len(starts) == 1 {
		return v[starts[0] : starts[0]+n]
	}
	var out []T
	for _, at := range starts {
		out = append(out, v[at:at+n]...)
	}
	return out
}

// join puts the devices' shards of one array, split along axis, back into
// one host tensor of the full dimensions.
func (s *sharding) join(bufs []*xlapjrt.Buffer, axis int) (*tensors.Tensor, error) {
	if axis < 0 || len(bufs) == 1 {
		return bufferTensor(bufs[0])
	}
	var parts []any
	var dims []int
	for _, b := range bufs {
		flat, d, err := b.ToFlatDataAndDimensions()
		if err != nil {
			return nil, err
		}
		parts, dims = append(parts, flat), d
	}
	full := slices.Clone(dims)
	full[axis] *= len(bufs)
	outer := 1
	for _, n := range dims[:axis] {
		outer *= n
	}
	switch parts[0].(type) {
	case []float32:
		return HostTensor(interleave[float32](parts, outer), full)
	case []float64:
		return HostTensor(interleave[float64](parts, outer), full)
	case []int32:
		return HostTensor(interleave[int32](parts, outer), full)
	case []bool:
		return HostTensor(interleave[bool](parts, outer), full)
	}
	return nil, fmt.Errorf("jit: state of unsupported type %T", parts[0])
}

// interleave joins shards that each hold outer runs of equal length:
// run o of every shard in turn, for o = 0, 1, ….
func interleave[T any](parts []any, outer int) []T {
	var out []T
	for o := range outer {
		for _, p := range parts {
			v := p.([]T)
			n := len(v) / outer
			out = append(out, v[o*n:(o+1)*n]...)
		}
	}
	return out
}

// upload copies host data onto every device, split along axis: one buffer
// per device.
func (s *sharding) upload(c *xlapjrt.Client, t *tensors.Tensor, axis int) ([]*xlapjrt.Buffer, error) {
	var bufs []*xlapjrt.Buffer
	var err error
	if e := t.ConstFlatData(func(flat any) {
		for d := range s.devices {
			f, dims := s.shard(flat, t.Shape().Dimensions, axis, d)
			var b *xlapjrt.Buffer
			if b, err = c.BufferFromHost().ToDeviceNum(d).FromFlatDataWithDimensions(f, dims).Done(); err != nil {
				destroyAll(bufs)
				return
			}
			bufs = append(bufs, b)
		}
	}); e != nil {
		return nil, e
	}
	return bufs, err
}

// shardText annotates a loop program's text for the devices (unchanged
// on one device).
func (s *sharding) shardText(lp *LoopProgram, p *lower.Program) (string, error) {
	if s.devices == 1 {
		return lp.Text, nil
	}
	return loop.Shard(lp.Text, s.devices, s.args(lp.Signature.Consts))
}

// compile compiles a (sharded) loop program's text for the devices.
func (s *sharding) compile(c *xlapjrt.Client, text string) (*xlapjrt.LoadedExecutable, error) {
	cc := c.Compile().WithStableHLO([]byte(text))
	if s.devices > 1 {
		assign := make([]int, s.devices)
		for d := range assign {
			assign[d] = d
		}
		cc = cc.WithShardy(s.devices).WithDeviceAssignment(assign)
	}
	return cc.Done()
}

func destroyAll(bufs []*xlapjrt.Buffer) {
	for _, b := range bufs {
		if b != nil {
			_ = b.Destroy()
		}
	}
}
