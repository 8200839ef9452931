package signature

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/lower"
)

// Reduce says how a readout accumulates its value over the steps.
type Reduce string

// Reductions of a readout.
const (
	// ReduceSum adds the value of every step (spike counts).
	ReduceSum Reduce = "sum"
	// ReduceMean is the sum divided by the number of steps (the loss
	// divides; the accumulator holds the sum).
	ReduceMean Reduce = "mean"
	// ReduceMax keeps the largest value of any step.
	ReduceMax Reduce = "max"
	// ReduceLast keeps the value after the last step.
	ReduceLast Reduce = "last"
)

// Readout is a value the loss reads: populations' spikes or one of their
// float state variables, accumulated over the steps.
type Readout struct {
	// Pops are the populations read, side by side in this order (a
	// batch's copies of one population: one readout of [copies × size]).
	Pops []*lower.Population
	// Var is the state variable read, or "" for the spikes.
	Var string
	// Reduce is how the steps are combined.
	Reduce Reduce
}

// Name is "<population>.<var>" or "<population>.spikes", with the reduction.
func (r Readout) Name() string {
	v := r.Var
	if v == "" {
		v = "spikes"
	}
	name := "?"
	if len(r.Pops) > 0 && r.Pops[0] != nil {
		name = r.Pops[0].Name
	}
	if len(r.Pops) > 1 {
		name += fmt.Sprintf("+%d more", len(r.Pops)-1)
	}
	return fmt.Sprintf("%s(%s.%s)", r.Reduce, name, v)
}

// Size is the number of values read: the populations' sizes summed.
func (r Readout) Size() int {
	n := 0
	for _, p := range r.Pops {
		n += p.Size
	}
	return n
}

// Train lays out the differentiable step of a program, which
// training runs forward and backward through the time loop:
//
//	step(carried…, const…) -> carried'…
//	vjp(carried…, const…, adj'…) -> (adj…, grad…)
//
// The carried values are the program's state (Program.State, with every
// block's Bool spike flags as floats of the simulation type: the
// surrogate gradient passes through them) then one accumulator per
// readout ([population size]). Adjoint lists the carried values that
// have adjoints (the float ones); Params the constants (Program.Consts)
// trained, whose gradients the vjp returns in that order.
type Train struct {
	program *lower.Program
	// Carried are the carried values, in order.
	Carried []Value
	// Consts are the step's constants: Program.Consts in order, one for
	// each set of equal or tied ones (ConstOf), then one data array per
	// input block.
	Consts []Value
	// Readouts are the accumulated values, the carried values from
	// len(Program.State) on.
	Readouts []Readout
	// Adjoint are the positions in Carried of the values with adjoints.
	Adjoint []int
	// Params are the positions in Program.Consts of the trained constants.
	Params []int
	// Inputs are the blocks fed data (Training.Inputs), one data array
	// each: the constants after Program.Consts, in order.
	Inputs []InputBlock
	// ConstOf maps each of Program.Consts to its position in Consts: equal
	// tables (a batch's copies of a synapse list) and the constants of a
	// tied group (Training.Tied) share one.
	ConstOf []int
	// Spreads are the trained per-neuron parameters (Training.PopParams),
	// in order: each is one argument (RoleParam, after the constants
	// Program.Consts gives) spread into a block's parameter array.
	Spreads []Spread
	// DataAt is the position in Consts of the first data array.
	DataAt int
}

// InputBlock is a block some of whose populations are fed data.
type InputBlock struct {
	// Block is the block.
	Block *lower.Block
	// Pops are its input populations in block order; the data array's
	// columns are their neurons, side by side in this order.
	Pops []*lower.Population
	// Width is the number of columns: the populations' sizes summed.
	Width int
}

// Spread lays a trained per-neuron parameter, one value per neuron of
// populations of equal size (a batch's copies), into the parameter
// array of their block (dynamics.PerNeuron): the step reads element e of
// the array from the parameter's element Index[e], or keeps the array's
// own value where Index[e] is −1 (the block's other populations). Its
// gradient is the sum over the populations that read it.
type Spread struct {
	// Name is the parameter's name in Training.PopParams ("H.tau").
	Name string
	// Const is the block's parameter array (an index into Program.Consts)
	// and At the parameter's position in Train.Consts.
	Const, At int
	// Index maps each element of the array to the parameter's, or −1.
	Index []int32
	// Pops are the populations that read it, Offset the first's neuron in
	// its block (whose values start the parameter).
	Pops   []*lower.Population
	Offset int
}

// PopParam names a per-neuron parameter to train: one value per neuron,
// read by each of Pops (a batch's copies of one population; equal sizes,
// one block). The program must hold the parameter as a per-neuron array
// (ir.Population.Vary; dynamics.PerNeuron).
type PopParam struct {
	// Name is how training and its files name it ("H.tau").
	Name string
	// Param is the model's parameter ("tau").
	Param string
	// Pops are the populations that read it.
	Pops []*lower.Population
}

// Trained are the positions in Consts of the trained arguments, in the
// order the vjp returns their gradients: Params' (through ConstOf), then
// Spreads'.
func (s *Train) Trained() []int {
	out := make([]int, 0, len(s.Params)+len(s.Spreads))
	for _, c := range s.Params {
		out = append(out, s.ConstOf[c])
	}
	for _, sp := range s.Spreads {
		out = append(out, sp.At)
	}
	return out
}

// MaxTrainSteps bounds Training.MaxSteps.
const MaxTrainSteps = 1 << 24

// Program is the program the signature lays out.
func (s *Train) Program() *lower.Program { return s.program }

// ArgShapes are the step's argument shapes: carried, then constants.
func (s *Train) ArgShapes() []shapes.Shape {
	out := make([]shapes.Shape, 0, len(s.Carried)+len(s.Consts))
	for _, v := range s.Carried {
		out = append(out, v.ShapeOf())
	}
	for _, v := range s.Consts {
		out = append(out, v.ShapeOf())
	}
	return out
}

// VJPShapes are the vjp's argument shapes: the step's, then one adjoint per
// Adjoint position.
func (s *Train) VJPShapes() []shapes.Shape {
	out := s.ArgShapes()
	for _, i := range s.Adjoint {
		out = append(out, s.Carried[i].ShapeOf())
	}
	return out
}

// ReadoutAt is the position in Carried of readout j.
func (s *Train) ReadoutAt(j int) int { return s.State() + j }

// State is the number of carried state arrays: they are the step's
// arguments 0 to State()-1, in lower.Program.State order.
func (s *Train) State() int { return len(s.program.State) }

// Training is what a training step reads, trains and is fed.
type Training struct {
	// Readouts are the values the loss reads.
	Readouts []Readout
	// Params name the constants trained (Program.Consts names, e.g.
	// "E2E.weight").
	Params []string
	// Inputs are the populations whose spikes are data: each step sets
	// them to row `step` of their block's data array (RoleData, [MaxSteps,
	// the block's input neurons]; Train.Inputs gives its columns),
	// the model's own spikes replaced.
	Inputs []*lower.Population
	// MaxSteps is the number of rows of every data array (≥ 1 when there
	// are inputs).
	MaxSteps int
	// Tied lists groups of constants (Program.Consts names) that hold one
	// value: a batch's copies of a trained weight. The step reads the
	// group's first for all of them, and only the first can be trained
	// (its gradient is the sum over the group).
	Tied [][]string
	// PopParams are the per-neuron parameters trained (after Params).
	PopParams []PopParam
}

// Train lays out the differentiable step for tr. It refuses what
// the gradient cannot pass: a kernel or a model without a backward rule,
// named with its spec line and the reason (TrainCheck).
func ForTraining(p *lower.Program, tr Training) (*Train, error) {
	if err := p.TrainCheck(); err != nil {
		return nil, err
	}
	readouts, params := tr.Readouts, tr.Params
	s := &Train{program: p, Readouts: readouts}
	for i, v := range p.State {
		dt := v.DType
		if dt == dtypes.Bool {
			dt = p.DType
		}
		s.Carried = append(s.Carried, Value{Name: v.Name, Role: RoleState, Of: i, DType: dt, Shape: slices.Clone(v.Shape)})
		if dt == p.DType {
			s.Adjoint = append(s.Adjoint, i)
		}
	}
	for j, r := range readouts {
		if len(r.Pops) == 0 || slices.ContainsFunc(r.Pops, func(q *lower.Population) bool { return q == nil || q.Pad }) {
			return nil, fmt.Errorf("lower: readout %d has no population", j)
		}
		switch r.Reduce {
		case ReduceSum, ReduceMean, ReduceMax, ReduceLast:
		default:
			return nil, fmt.Errorf("lower: readout %s: reduction %q is not one of sum, mean, max, last", r.Name(), r.Reduce)
		}
		for _, q := range r.Pops {
			if r.Var == "" {
				continue
			}
			v, ok := q.Block.States[r.Var]
			if !ok || v.DType != p.DType {
				return nil, fmt.Errorf("lower: readout %s: %s has no float state variable %q (valid: %s)", r.Name(), q.Name, r.Var,
					strings.Join(floatStates(p, q.Block), ", "))
			}
		}
		s.Adjoint = append(s.Adjoint, len(s.Carried))
		s.Carried = append(s.Carried, Value{Name: r.Name(), Role: RoleReadout, Of: j, DType: p.DType, Shape: []int{r.Size()}})
	}
	if err := s.layConsts(tr.Tied); err != nil {
		return nil, err
	}
	if err := s.laySpreads(tr.PopParams); err != nil {
		return nil, err
	}
	if len(tr.Inputs) > 0 && (tr.MaxSteps < 1 || tr.MaxSteps > MaxTrainSteps) {
		return nil, fmt.Errorf("lower: data inputs need 1 to %d steps, got %d", MaxTrainSteps, tr.MaxSteps)
	}
	for j, q := range tr.Inputs {
		if q == nil || q.Pad || slices.Index(tr.Inputs, q) != j {
			return nil, fmt.Errorf("lower: data input %d is no population or a population given twice", j)
		}
	}
	for _, b := range p.Blocks {
		in := InputBlock{Block: b}
		for _, q := range b.Pops {
			if slices.Contains(tr.Inputs, q) {
				in.Pops = append(in.Pops, q)
				in.Width += q.Size
			}
		}
		if in.Pops == nil {
			continue
		}
		s.Consts = append(s.Consts, Value{Name: b.Name + ".data", Role: RoleData, Of: len(s.Inputs), DType: p.DType, Shape: []int{tr.MaxSteps, in.Width}})
		s.Inputs = append(s.Inputs, in)
	}
	for _, name := range params {
		i := slices.IndexFunc(p.Consts, func(v *lower.Var) bool { return v.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("lower: no constant %q to train (trainable: %s)", name, strings.Join(p.TrainableConsts(), ", "))
		}
		if p.Consts[i].DType != p.DType {
			return nil, fmt.Errorf("lower: constant %q is %s, not a float value that can be trained", name, p.Consts[i].DType)
		}
		i = s.Consts[s.ConstOf[i]].Of // a tied group trains its first
		if slices.Contains(s.Params, i) || slices.ContainsFunc(s.Spreads, func(sp Spread) bool { return sp.Const == i }) {
			return nil, fmt.Errorf("lower: constant %q is trained twice (or with a constant tied to it, or as a per-neuron parameter)", name)
		}
		s.Params = append(s.Params, i)
	}
	return s, nil
}

// floatStates lists a block's float state variables.
func floatStates(p *lower.Program, b *lower.Block) []string {
	var out []string
	for name, v := range b.States {
		if v.DType == p.DType {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// layConsts fills Consts with Program.Consts, one argument per set of
// constants that hold one value: the groups of tied (their first), and
// Int32 tables with equal values (copies' synapse lists).
func (s *Train) layConsts(tied [][]string) error {
	p := s.program
	rep := make([]int, len(p.Consts)) // the constant whose argument each one reads
	for i := range rep {
		rep[i] = i
	}
	index := map[string]int{}
	for i, v := range p.Consts {
		index[v.Name] = i
	}
	grouped := map[int]bool{}
	for _, group := range tied {
		if len(group) < 2 {
			return fmt.Errorf("lower: tied group %q: expected 2 or more constants", group)
		}
		first, ok := index[group[0]]
		if !ok {
			return fmt.Errorf("lower: tied group: no constant %q", group[0])
		}
		for _, name := range group {
			i, ok := index[name]
			switch {
			case !ok:
				return fmt.Errorf("lower: tied group: no constant %q", name)
			case grouped[i]:
				return fmt.Errorf("lower: constant %q is in two tied groups", name)
			case p.Consts[i].DType != p.Consts[first].DType || !slices.Equal(p.Consts[i].Shape, p.Consts[first].Shape):
				return fmt.Errorf("lower: tied constants %q %s%v and %q %s%v differ", name, p.Consts[i].DType, p.Consts[i].Shape,
					group[0], p.Consts[first].DType, p.Consts[first].Shape)
			}
			grouped[i], rep[i] = true, first
		}
	}
	tables := map[string][]int{} // Int32 tables by shape, for equal values
	for i, v := range p.Consts {
		if v.DType != dtypes.Int32 || v.Value == nil || grouped[i] {
			continue
		}
		key := fmt.Sprint(v.Shape)
		for _, j := range tables[key] {
			if equalInts(v.Value, p.Consts[j].Value) {
				rep[i] = j
				break
			}
		}
		if rep[i] == i {
			tables[key] = append(tables[key], i)
		}
	}
	s.ConstOf = make([]int, len(p.Consts))
	for i, v := range p.Consts {
		if rep[i] == i {
			s.ConstOf[i] = len(s.Consts)
			s.Consts = append(s.Consts, Value{Name: v.Name, Role: RoleConst, Of: i, DType: v.DType, Shape: slices.Clone(v.Shape)})
		}
	}
	for i := range p.Consts {
		s.ConstOf[i] = s.ConstOf[rep[i]]
	}
	s.DataAt = len(s.Consts)
	return nil
}

// laySpreads appends one argument per trained per-neuron parameter.
func (s *Train) laySpreads(params []PopParam) error {
	p := s.program
	read := map[int][]bool{} // by parameter array: the elements a trained parameter reads
	for _, pp := range params {
		if len(pp.Pops) == 0 || slices.Contains(pp.Pops, nil) {
			return fmt.Errorf("lower: trained parameter %s: no population", pp.Name)
		}
		first := pp.Pops[0]
		cv, ok := first.Block.VaryArrays[pp.Param]
		switch {
		case !ok:
			return fmt.Errorf("lower: trained parameter %s: population %s holds %s as one value, not one per neuron (ir.Population.Vary)", pp.Name, first.Name, pp.Param)
		case cv.DType != p.DType:
			return fmt.Errorf("lower: trained parameter %s: %s is held as %s, not a float value that can be trained", pp.Name, pp.Param, cv.DType)
		}
		c := cv.Index
		if read[c] == nil {
			read[c] = make([]bool, p.Consts[c].Shape[0])
		}
		sp := Spread{Name: pp.Name, Const: c, At: len(s.Consts), Pops: pp.Pops, Offset: first.Offset,
			Index: slices.Repeat([]int32{-1}, p.Consts[c].Shape[0])}
		for _, q := range pp.Pops {
			switch qc, ok := q.Block.VaryArrays[pp.Param]; {
			case q.Size != first.Size:
				return fmt.Errorf("lower: trained parameter %s: populations %s and %s differ in size", pp.Name, first.Name, q.Name)
			case !ok:
				return fmt.Errorf("lower: trained parameter %s: population %s holds %s as one value, not one per neuron (ir.Population.Vary)", pp.Name, q.Name, pp.Param)
			case qc != cv:
				return fmt.Errorf("lower: trained parameter %s: populations %s and %s lie in different blocks", pp.Name, first.Name, q.Name)
			}
			for j := range q.Size {
				if read[c][q.Offset+j] {
					return fmt.Errorf("lower: population %s's %s is trained twice", q.Name, pp.Param)
				}
				read[c][q.Offset+j], sp.Index[q.Offset+j] = true, int32(j)
			}
		}
		s.Consts = append(s.Consts, Value{Name: pp.Name, Role: RoleParam, Of: len(s.Spreads), DType: p.DType, Shape: []int{first.Size}})
		s.Spreads = append(s.Spreads, sp)
	}
	s.DataAt = len(s.Consts)
	return nil
}

// equalInts reports whether two Int32 host tensors hold the same values.
func equalInts(a, b *tensors.Tensor) bool {
	var x, y []int32
	a.ConstFlatData(func(v any) { x, _ = v.([]int32) })
	b.ConstFlatData(func(v any) { y, _ = v.([]int32) })
	return x != nil && y != nil && slices.Equal(x, y)
}

// ConstArgs picks the step's constant arguments (Consts before the data
// arrays) from the program's constant tensors (Program.ConstTensors).
func (s *Train) ConstArgs(all []*tensors.Tensor) []*tensors.Tensor {
	out := make([]*tensors.Tensor, s.DataAt)
	for j := range out {
		v := s.Consts[j]
		if v.Role != RoleParam {
			out[j] = all[v.Of]
			continue
		}
		sp := s.Spreads[v.Of] // the first population's values
		out[j] = sliceFloats(all[sp.Const], sp.Offset, v.Shape[0])
	}
	return out
}

// sliceFloats is elements [from, from+n) of a float host tensor.
func sliceFloats(t *tensors.Tensor, from, n int) *tensors.Tensor {
	var out *tensors.Tensor
	t.ConstFlatData(func(v any) {
		switch x := v.(type) {
		case []float64:
			out = tensors.FromFlatDataAndDimensions(slices.Clone(x[from:from+n]), n)
		case []float32:
			out = tensors.FromFlatDataAndDimensions(slices.Clone(x[from:from+n]), n)
		}
	})
	return out
}
