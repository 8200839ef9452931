package signature

import (
	"github.com/brainc/brainc/lower"
)

// splitOps lists the program's propagations split by target (each
// device runs its share before each step, package loop's Manual), in the
// order the step takes their results: the blocks of SplitBlocks, then the
// projections of SplitProcedural, then those of SplitDelayed, then those
// of SplitScaled. Their arguments are positions in s.Args.
func splitOps(p *lower.Program, s *Step) ([]PreOp, error) {
	row, capacity, D := s.Row, s.Capacity, p.Devices
	var out []PreOp
	for _, b := range p.SplitBlocks() {
		if _, err := p.RowAt(b, capacity); err != nil {
			return nil, err
		}
		out = append(out, fanOp(p, b, s, D))
	}
	for _, pr := range p.SplitProcedural() {
		if _, err := p.RowAt(pr.Pre.Block, capacity); err != nil {
			return nil, err
		}
		out = append(out, PreOp{Name: "procedural " + pr.Name, Kind: PreProcedural, Proj: pr, Devices: D,
			Args:  []int{row, s.At(p.DeviceIDs), s.At(pr.Weight)},
			Split: []int{-1, 0, -1}})
	}
	for _, pr := range p.SplitDelayed() {
		if _, err := p.RowAt(pr.Pre.Block, capacity); err != nil {
			return nil, err
		}
		out = append(out, delayedOp(p, pr, s, D))
	}
	for _, pr := range p.SplitScaled() {
		if _, err := p.RowAt(pr.Pre.Block, capacity); err != nil {
			return nil, err
		}
		o := pr.Own
		weight, ws := ownWeight(pr)
		out = append(out, PreOp{Name: "scaled " + pr.Name, Kind: PreScaled, Proj: pr, Devices: D,
			Args:  []int{row, s.At(pr.STPU), s.At(pr.STPX), s.At(pr.Pre.Block.Spike), s.At(o.Ptr), s.At(o.Indices), s.At(weight)},
			Split: []int{-1, -1, -1, -1, 0, 0, ws}})
	}
	return out, nil
}

// fanOp is the propagation of block b's fan-out table before the step,
// whole (devices 1) or split by target across devices.
func fanOp(p *lower.Program, b *lower.Block, s *Step, devices int) PreOp {
	op := PreOp{Name: "fan " + b.Name, Kind: PreFan, Block: b, Devices: devices, Args: []int{s.Row}, Split: []int{-1}}
	for _, v := range b.Fan.Tables() {
		split := -1
		if devices > 1 && v.ByDevice {
			split = 0
		}
		op.Args, op.Split = append(op.Args, s.At(v)), append(op.Split, split)
	}
	return op
}

// delayedOp is the propagation of pr's delayed own table before the step
// (its ring buffer with this step's events added), whole (devices 1) or
// split by target across devices.
func delayedOp(p *lower.Program, pr *lower.Projection, s *Step, devices int) PreOp {
	o := pr.Own
	weight, ws := ownWeight(pr)
	op := PreOp{Name: "delayed " + pr.Name, Kind: PreDelayed, Proj: pr, Devices: devices,
		Args:  []int{s.Row, 0, s.At(o.Ptr), s.At(o.Indices), s.At(pr.Delay.StepsTable), s.At(weight), s.At(pr.Delay.Buf)},
		Split: []int{-1, -1, -1, -1, -1, -1, -1}}
	if devices > 1 {
		op.Split, op.ResultAxis = []int{-1, -1, 0, 0, 0, ws, 1}, 1
	}
	return op
}

// ownWeight is the constant holding a split own table's weight and the
// axis it splits along: its per-synapse weights (split with the table),
// else the projection's scalar (whole).
func ownWeight(pr *lower.Projection) (weight *lower.Var, split int) {
	if pr.Own.Weights != nil {
		return pr.Own.Weights, 0
	}
	return pr.Weight, -1
}
