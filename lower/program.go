// Package lower turns an ir.Network into a Program: every decision about
// how the network runs, and the host tables it runs on, but no graph code
// (package emit traces a Program's step into GoMLX functions).
//
// Passes, in order: build connectivity on the host from the seed; merge
// projections whose synapses share dynamics and target (one synaptic state
// per merged group, BrainPy's AlignPost idea); pick a propagation kernel per
// projection (event-driven or dense); lay out the state and constant inputs.
// signature.ForLoop then fixes the traced step's calling convention for
// one event capacity and lowering.
package lower

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/connect"
	"github.com/brainc/brainc/dynamics"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/plan"
)

// Options configures Build.
type Options struct {
	// DType is the simulation float type: Float32 (default) or Float64.
	DType dtypes.DType
	// Kernel, when set, overrides every projection's kernel choice.
	Kernel plan.Kernel
	// MaxMemory, when > 0, is the most memory (bytes) a network's estimate
	// (plan.EstimateMemory) may reach; 0 means the memory available on the
	// machine. Past it Build fails before building anything.
	MaxMemory int64
	// NoPack, when set, gives every population a block of its own (see
	// Block): the layout before packing, kept to test that packing changes
	// no result.
	NoPack bool
	// StoreProcedural, when set, builds the stored matrix of every stored
	// fixed_prob projection from the procedural generator (e.g. with
	// ops.ProceduralMatrix) instead of connect.FixedProb: a stored run and a
	// procedural run of one seed then have the same synapses.
	StoreProcedural func(ops.Procedural) (*connect.Matrix, error)
	// PadTo, when > 1, rounds the size of every block of packed neuron
	// populations up to a multiple of it with a padding population (see
	// Population.Pad), so that the block splits evenly across PadTo
	// devices (ShardAxes). Blocks of sources (Poisson, spike times), of
	// gap-junction populations and, with NoPack, every block stay as they
	// are. The fan-out tables whose targets all split are split by target
	// too (Block.Split): such a program runs split across exactly PadTo
	// devices (Program.Devices). At most MaxDevices.
	PadTo int
	// Differentiable, when set (training), gives every stored or
	// procedural projection the dense kernel: the event and procedural
	// kernels have no backward rule yet, and dense keeps their synapses
	// and weights. all_to_all and Poisson projections keep theirs. A
	// batch's copies of a population (ir.Network.Replicas) lie side by
	// side in their block, so that the step reads and writes all copies
	// of one population as one slice.
	Differentiable bool
}

// Budget is what the memory estimate of a lowering under these options
// depends on besides the network (plan.EstimateMemory).
func (o Options) Budget() plan.Budget { return plan.Budget{Kernel: o.Kernel, MaxMemory: o.MaxMemory} }

// Choices are what a run asks of the lowering, from a command's flags or
// the Go API's options.
type Choices struct {
	// Float64 simulates in float64 (so does a network whose Precision is
	// "float64").
	Float64 bool
	// Kernel, when set, forces every projection's kernel.
	Kernel plan.Kernel
	// MaxMemory is the memory limit in bytes (0: the machine's).
	MaxMemory int64
	// Devices, when > 1, is the number of devices the run splits across:
	// blocks are padded to a multiple of it (PadTo).
	Devices int
}

// OptionsFor derives the lowering options of a run of net: the one place
// the dtype, forced kernel, memory limit and padding are decided from what
// the run asks.
func OptionsFor(net *ir.Network, c Choices) Options {
	o := Options{DType: dtypes.Float32, Kernel: c.Kernel, MaxMemory: c.MaxMemory}
	if c.Float64 || net.Precision == ir.PrecisionFloat64 {
		o.DType = dtypes.Float64
	}
	if c.Devices > 1 {
		o.PadTo = c.Devices
	}
	return o
}

// Var is one state array or constant of the program. Program.State and
// Program.Consts hold every one once; the program's parts (blocks, groups,
// projections …) refer to them by pointer, and Index is the one place a
// position is kept.
type Var struct {
	// Name is "<population>.<state>", "<group>.g", "<projection>.<table>" or "step".
	Name string
	// DType and Shape are the whole array's (every device's share together).
	DType dtypes.DType
	Shape []int
	// Const is set on a constant (Program.Consts), clear on a state array
	// (Program.State); Index is the position in that list.
	Const bool
	Index int
	// Over, when not nil, is the block whose neurons the array runs over
	// along Axis (its extent there is the block's size): it splits along
	// that axis when the block's size divides by the devices. OverPop
	// does the same for an array over one population's neurons, which
	// splits only when the population fills its block (see ShardAxes).
	Over    *Block
	OverPop *Population
	Axis    int
	// ByDevice is set on a table laid out one per device (Program.Devices
	// of them stacked along axis 0, split by target).
	ByDevice bool
	// Holds says in words what a constant holds (a fan-out table's
	// targets, a projection's weight …; its name when nothing more), for
	// the artifact manifest; set once the program is built.
	Holds string
	// Value is a constant's host value (nil for a state array: its
	// initial value is drawn by InitialState).
	Value *tensors.Tensor
}

// Bytes is the size of the array.
func (v Var) Bytes() int64 {
	n := int64(v.DType.Size())
	for _, d := range v.Shape {
		n *= int64(d)
	}
	return n
}

// Population is a lowered population. Its state lives in its block's
// arrays (Block), neurons [Offset, Offset+Size) of them.
type Population struct {
	*ir.Population
	// Index is the population's position in Program.Pops.
	Index int
	// Neuron is the population's model with its own parameters.
	Neuron dynamics.Neuron
	// Block is the block holding the population's state, from neuron
	// Offset on.
	Block  *Block
	Offset int
	// OU is the population's Ornstein–Uhlenbeck input current
	// ("<pop>.I_ou"), nil without one.
	OU *Var
	// Parts are the synaptic inputs onto this population, one per synaptic
	// state (in the order the projections first feed them); each is a slice
	// of a block Group.
	Parts []*Part
	// Values holds the parameters drawn one per neuron (ir.Population.Vary).
	Values map[string][]float64
	// InputArray is the constant input given one value per neuron
	// (Input.PerNeuron).
	InputArray *Var
	// Pad is set on a padding population (Options.PadTo): neurons that
	// round its block's size up, part of no projection, input or monitor.
	Pad bool
}

// Group is a synaptic state shared by merged projections, over every
// neuron of one block: the Parts of the block's populations side by side
// (a population without a part has g = 0). For synapses kept per
// presynaptic neuron (PreSide), it is the sum of its projections'
// transmitted g, computed every step and not stored: G is then -1 and Vars
// empty.
type Group struct {
	// Name is the names of its projections joined by "+".
	Name    string
	Post    *Block
	Synapse dynamics.Synapse
	Output  dynamics.Output
	// G is the synaptic variable g that outputs read (nil for PreSide);
	// Vars maps every synaptic variable (g included) to its array.
	G     *Var
	Vars  map[string]*Var
	Parts []*Part
	// PreSide is set for kinetic synapses, whose state is a PreState.
	PreSide bool
}

// Part is the projections merged into one synaptic state of one
// population: what a Group holds for the neurons of Pop.
type Part struct {
	// Name is the names of its projections joined by "+".
	Name  string
	Pop   *Population
	Projs []*Projection
	// Group is the block's synaptic state the part belongs to.
	Group *Group
	// Init is the synaptic variable's initial value (nil: 0), from the
	// projections' init (merged projections must agree).
	Init *ir.Init
	// key identifies the synapse dynamics and output the part's
	// projections share.
	key     string
	synapse dynamics.Synapse
	output  dynamics.Output
	preSide bool
}

// PreState is the per-presynaptic synaptic state of a kinetic synapse
// (dynamics.PreSynapse), shared by every projection from Pop with equal
// synapse keys.
type PreState struct {
	// Name is "<block>.<synapse model>", with a suffix when one block has
	// several such states of one model.
	Name    string
	Block   *Block
	Synapse dynamics.PreSynapse
	// Vars maps each synaptic variable to its state array.
	Vars map[string]*Var
}

// Projection is a lowered projection.
type Projection struct {
	*ir.Projection
	// Pre is the source population (nil for a Poisson input), Target the
	// postsynaptic one.
	Pre, Target *Population
	Kernel      plan.Kernel
	// Why explains the kernel choice.
	Why string
	// Matrix is the stored connectivity (nil for the procedural kernel).
	Matrix *connect.Matrix
	// SynWeights are per-synapse weights in Matrix order (conn file), before
	// scaling by the projection's weight; nil when the weight is homogeneous.
	SynWeights []float64
	// STP is the projection's short-term plasticity (nil: none); STPU and
	// STPX are its presynaptic variables u and x.
	STP        *dynamics.STP
	STPU, STPX *Var
	// Proc is the regenerated connectivity of the procedural kernel.
	Proc *ops.Procedural
	// Weight is the projection's weight; PreList and PostList are the
	// dense kernel's synapse list (nil on other kernels).
	Weight, PreList, PostList *Var
	// RowSums, for a rate projection with difference coupling, is each
	// target's summed weight Σ_j w_ij [N_post] (a constant), which the step
	// multiplies by the target's own variable.
	RowSums *Var
	// Segment places an event-driven projection in its source block's
	// fan-out table (see Block.Fanout).
	Segment Segment
	// PreState is the kinetic synaptic state the projection transmits (nil
	// for synapses kept per postsynaptic neuron).
	PreState *PreState
	// PoissonKey seeds a Poisson input's draws.
	PoissonKey uint32
	// Delay is the projection's delay line (nil without delays).
	Delay *Delay
	// Own is the projection's own event table (nil: it is in its source
	// block's fan-out table, or not event-driven).
	Own *Table
	// Plastic is the projection's STDP state (nil without STDP).
	Plastic *Plastic
	// Part is the synaptic input the projection feeds (nil for gap
	// junctions).
	Part *Part
	// Split is set on a procedural projection split by target across the
	// program's devices: each regenerates the firing rows and keeps the
	// targets among its own neurons (signature.Step.Pre).
	Split bool
	// SplitOwn, when not nil, is the projection's own table (delayed, or
	// scaled by STP) split by target across the program's devices.
	SplitOwn *SplitTable
}

// Gap is a gap-junction projection within Pop: the junction list in both
// directions (Proj.PreList → Proj.PostList with weights Proj.Weight) and
// Cond, each neuron's summed junction conductance.
type Gap struct {
	// Proj is the gap-junction projection.
	Proj *Projection
	// Pop is the population it joins.
	Pop *Population
	// Cond is the constant of each neuron's summed conductance.
	Cond *Var
}

// Delay is a projection's delay line: a ring buffer [Len, N_post] of
// future input, state Buf. Either every synapse has Steps steps of delay, or
// each has its own (PerSynapse, in Matrix order): StepsTable is then the
// constant of the delays, aligned with the projection's own CSR table
// (event kernel, with a trailing pad entry) or with its synapse list
// (dense kernel).
type Delay struct {
	// Steps is the delay in steps when every synapse has the same.
	Steps int
	// PerSynapse is each synapse's delay in steps (nil: Steps for all).
	PerSynapse []int32
	// Len is the ring buffer's length in steps.
	Len int
	// Buf is the ring buffer, state [Len, N_post].
	Buf *Var
	// StepsTable is the constant of per-synapse delays (nil without).
	StepsTable *Var
}

// Table is an event-driven projection's own CSR table, kept apart from its
// source population's shared fan-out table when its synapses need more than
// a target each (per-synapse delays) or its rows a scale each (STP): Ptr
// and Indices are its row pointers [N_pre+2] and targets [S+1]; Weights,
// when not nil, holds per-synapse weights aligned with Indices; Width is
// the longest row.
type Table struct {
	// Ptr, Indices and Weights are the table's constants (Weights nil
	// when the projection's weight is one scalar).
	Ptr, Indices, Weights *Var
	// Width is the longest row.
	Width int
}

// Plastic holds a projection's STDP rule and state indices: the weights
// W [S] (in Matrix order, used by the dense kernel) and the pre and post
// traces.
type Plastic struct {
	Rule dynamics.STDP
	// Eq, when set, is a rule given by equations in place of Rule: its
	// traces are PreVars and PostVars (state arrays by name), not XPre and
	// XPost.
	Eq                *dynamics.EquationPlasticity
	PreVars, PostVars map[string]*Var
	// W is the weights, XPre and XPost the built-in rule's traces (nil
	// for a rule given by equations).
	W, XPre, XPost *Var
	// Event is set on the event kernel: W is then [S+1], aligned with the
	// projection's own table (Projection.Own), and ColPtr, Sources and Perm
	// are the transposed table's constants (see dynamics.EventTables),
	// ColWidth its longest column.
	Event                 bool
	ColPtr, Sources, Perm *Var
	ColWidth              int
	// SynVars are a rule's variables kept per synapse besides w (state
	// arrays by name), laid out as W.
	SynVars map[string]*Var
	// LastUpdate, when not nil, is the step of each synapse's last event
	// (Int32, laid out as W), for the rule's event-driven variables.
	LastUpdate *Var
	// SynPre and SynPost, when not nil, are constants giving each
	// synapse's presynaptic and postsynaptic neuron in the event table's
	// order (padded with N_pre and N_post), for clock-driven equations on
	// the event kernel that read traces.
	SynPre, SynPost *Var
	// Mods are the populations' variables the rule reads as modulators.
	Mods []Modulator
}

// Modulator is a population variable a plasticity rule reads (its mean
// over the population, each step).
type Modulator struct {
	// Name is the rule's name for it.
	Name string
	// Pop is the population read.
	Pop *Population
	// State is the population's block's variable.
	State *Var
}

// Segment is one event-driven projection's share of its source block's
// fan-out table: its targets are offset by Start into the concatenated
// postsynaptic space, where it owns Size slots (its target's size).
type Segment struct {
	Start, Size int
}

// Program is a lowered network, ready to be traced for any K and capacity.
type Program struct {
	Net   *ir.Network
	DType dtypes.DType
	// State lists the state arrays, in input/output order.
	State []*Var
	// Consts lists constant inputs (connectivity, weights), after the state.
	Consts []*Var
	Pops   []*Population
	// Blocks hold the populations' state, packed (see Block).
	Blocks    []*Block
	Groups    []*Group
	Projs     []*Projection
	PreStates []*PreState
	Gaps      []*Gap
	// Sums lays out the all_to_all projections' presynaptic sums (nil
	// without such projections).
	Sums *SourceSums
	// Devices is the number of devices the program is laid out for
	// (Options.PadTo; 1 without): a program whose fan-out tables are split
	// (SplitBlocks) runs split across exactly that many.
	Devices int
	// DeviceIDs is the devices' indices, Int32 [Devices] split one per
	// device, when anything is split by target (nil otherwise).
	DeviceIDs *Var
	// SpikeMonitors are the populations whose spikes are recorded.
	SpikeMonitors []*Population
	// Traces are the recorded state variables.
	Traces []Trace
	// drawn holds the host values drawn and checked when the program was
	// built, by stream (see draw).
	drawn map[string][]float64
	// copiesOf counts the copies of each original of a batch (see copies).
	copiesOf map[string]int
	// MaxMemory is Options.MaxMemory, the memory limit the program was
	// built under (0: the memory available), which also bounds the spikes
	// a run records (plan.SpikeBudget).
	MaxMemory int64
}

// Trace is a lowered trace monitor.
type Trace struct {
	ir.Trace
	// State is the traced variable's array; Rows are the traced entries
	// of it (Indices, offset into a packed array).
	State *Var
	Rows  []int
	// Current, when not nil, makes the trace a synaptic current: the sum of
	// these groups' output currents, State then being the block's membrane
	// potential.
	Current []*Group
}

// Build lowers a validated network.
func Build(net *ir.Network, opts Options) (*Program, error) {
	if opts.DType == dtypes.InvalidDType {
		opts.DType = dtypes.Float32
	}
	if opts.DType != dtypes.Float32 && opts.DType != dtypes.Float64 {
		return nil, fmt.Errorf("lower: simulation dtype must be Float32 or Float64, got %s", opts.DType)
	}
	if opts.Kernel != "" && opts.Kernel != plan.KernelEvent && opts.Kernel != plan.KernelDense && opts.Kernel != plan.KernelProcedural {
		return nil, fmt.Errorf("lower: unknown kernel %q: expected %q, %q or %q", opts.Kernel, plan.KernelEvent, plan.KernelDense, plan.KernelProcedural)
	}
	if err := net.Validate(); err != nil {
		return nil, err
	}
	if err := plan.CheckDeviceCount(net, opts.PadTo); err != nil && opts.PadTo <= MaxDevices { // beyond: refused below
		return nil, &ir.SpecError{File: net.File, Field: "devices", Msg: err.Error()}
	}
	if err := plan.CheckMemory(net, opts.Budget()); err != nil {
		return nil, &ir.SpecError{File: net.File, Msg: err.Error()}
	}
	p := &Program{Net: net, DType: opts.DType, Devices: max(opts.PadTo, 1), MaxMemory: opts.MaxMemory}
	p.addState("step", dtypes.Int32)
	byName := map[string]*Population{}
	for _, ip := range net.Populations {
		if err := p.lowerPopulation(ip, byName); err != nil {
			return nil, specError(net, ip.Line, "populations."+ip.Name, err)
		}
	}
	if opts.PadTo < 0 || opts.PadTo > MaxDevices {
		return nil, fmt.Errorf("lower: padding to a multiple of %d neurons: must be between 0 and %d", opts.PadTo, MaxDevices)
	}
	if err := p.planBlocks(opts.NoPack, opts.PadTo, opts.Differentiable); err != nil {
		return nil, err
	}
	for _, ipr := range net.Projections {
		if err := p.lowerProjection(ipr, byName, opts); err != nil {
			return nil, specError(net, ipr.Line, "projections."+ipr.Name, err)
		}
	}
	p.packGroups()
	p.planSourceSums()
	for _, b := range p.Blocks {
		p.buildFanout(b)
	}
	p.splitProcedural()
	p.splitOwnTables()
	p.describeConsts()
	for _, name := range net.Monitors.Spikes {
		pop := byName[name]
		pop.Block.Compact = true
		p.SpikeMonitors = append(p.SpikeMonitors, pop)
	}
	for _, t := range net.Monitors.Traces {
		idx, off, err := p.traceState(byName, t)
		cur, pop := []*Group(nil), byName[t.Pop]
		if err != nil && (t.Var == ir.SynCurrentTrace || t.Var == ir.CurrentTrace) {
			if c, at, ok := p.traceCurrent(byName, t); ok {
				cur, pop, err = c, at, nil
			}
		}
		if err != nil {
			return nil, specError(net, t.Line, "monitors.traces."+t.Pop+"."+t.Var, err)
		}
		if cur != nil {
			idx, off = pop.Block.States[pop.Block.Neuron.Potential()], pop.Offset
		}
		rows := slices.Clone(t.Indices)
		for k := range rows {
			rows[k] += off
		}
		p.Traces = append(p.Traces, Trace{Trace: t, State: idx, Rows: rows, Current: cur})
	}
	return p, nil
}

// traceState is the array of a traced variable and
// the offset of the traced entity in it: a population's state (or its OU
// current), or a projection's synaptic variable (in its group or kinetic
// state), STP variable or STDP state.
func (p *Program) traceState(byName map[string]*Population, t ir.Trace) (*Var, int, error) {
	if pop, ok := byName[t.Pop]; ok {
		if idx, ok := pop.Block.States[t.Var]; ok {
			return idx, pop.Offset, nil
		}
		if t.Var == ir.OUTrace && pop.OU != nil {
			return pop.OU, 0, nil
		}
		return nil, 0, fmt.Errorf("population has no state %q", t.Var)
	}
	var pr *Projection
	for _, q := range p.Projs {
		if q.Name == t.Pop {
			pr = q
		}
	}
	if pr == nil {
		return nil, 0, fmt.Errorf("no population or projection %q", t.Pop)
	}
	if ps := pr.PreState; ps != nil {
		if idx, ok := ps.Vars[t.Var]; ok {
			return idx, pr.Pre.Offset, nil
		}
	}
	if part := pr.Part; part != nil {
		if idx, ok := part.Group.Vars[t.Var]; ok {
			return idx, part.Pop.Offset, nil
		}
	}
	if pr.STP != nil && (t.Var == "u" || t.Var == "x") {
		return map[string]*Var{"u": pr.STPU, "x": pr.STPX}[t.Var], 0, nil
	}
	if pl := pr.Plastic; pl != nil && pl.Eq != nil && t.Var != "w" {
		if idx, ok := pl.SynVars[t.Var]; ok {
			if n := pr.Matrix.NumSynapses(); slices.Max(t.Indices) >= n {
				return nil, 0, fmt.Errorf("synapse index %d out of range (projection %s has %d synapses: 0..%d)", slices.Max(t.Indices), pr.Name, n, n-1)
			}
			return idx, 0, nil
		}
		if idx, ok := pl.PreVars[t.Var]; ok {
			return idx, 0, nil
		}
		if idx, ok := pl.PostVars[t.Var]; ok {
			return idx, 0, nil
		}
	}
	if pl := pr.Plastic; pl != nil {
		switch t.Var {
		case "w":
			if n := pr.Matrix.NumSynapses(); slices.Max(t.Indices) >= n {
				return nil, 0, fmt.Errorf("synapse index %d out of range (projection %s has %d synapses: 0..%d)", slices.Max(t.Indices), pr.Name, n, n-1)
			}
			return pl.W, 0, nil
		case "x_pre":
			return pl.XPre, 0, nil
		case "x_post":
			return pl.XPost, 0, nil
		}
	}
	return nil, 0, fmt.Errorf("projection %s has no state %q here", pr.Name, t.Var)
}

// traceCurrent resolves a current trace: a population's summed synaptic
// current (every group onto its block: a group without a part for it has
// g = 0 at its neurons) or a projection's current (its part's group). It
// returns the groups and the population whose neurons are traced; ok is
// false when t is no such trace.
func (p *Program) traceCurrent(byName map[string]*Population, t ir.Trace) (groups []*Group, pop *Population, ok bool) {
	if pop, found := byName[t.Pop]; found {
		b := pop.Block
		return b.Groups, pop, t.Var == ir.SynCurrentTrace && len(b.Groups) > 0 && b.Neuron.Potential() != ""
	}
	for _, pr := range p.Projs {
		if pr.Name == t.Pop && t.Var == ir.CurrentTrace && pr.Part != nil && pr.Target.Block.Neuron.Potential() != "" {
			return []*Group{pr.Part.Group}, pr.Target, true
		}
	}
	return nil, nil, false
}

// specError places an error found while lowering at the spec field (and
// its line) it comes from, as parsing errors are.
func specError(net *ir.Network, line int, field string, err error) error {
	return &ir.SpecError{File: net.File, Line: line, Field: field, Msg: err.Error()}
}

// addState adds a state array to Program.State.
func (p *Program) addState(name string, dt dtypes.DType, shape ...int) *Var {
	v := &Var{Name: name, DType: dt, Shape: shape, Index: len(p.State)}
	p.State = append(p.State, v)
	return v
}

// addConst adds a constant of host value t to Program.Consts.
func (p *Program) addConst(name string, t *tensors.Tensor) *Var {
	v := &Var{Name: name, DType: t.DType(), Shape: t.Shape().Dimensions, Value: t, Const: true, Index: len(p.Consts)}
	p.Consts = append(p.Consts, v)
	return v
}

// over marks v as running over block b's neurons along axis, and returns
// it.
func (v *Var) over(b *Block, axis int) *Var {
	v.Over, v.Axis = b, axis
	return v
}

// overPop marks v as running over pop's neurons along axis, and returns
// it.
func (v *Var) overPop(pop *Population, axis int) *Var {
	v.OverPop, v.Axis = pop, axis
	return v
}

// Drawn is the host values drawn, read or given for the network and
// checked when the program was built (per-neuron parameters, inputs and
// initial values), by random stream: what a fingerprint hashes besides the
// spec. The caller must not change them.
func (p *Program) Drawn() map[string][]float64 { return p.drawn }

// ConstTensors are the constants' host values, in Consts order.
func (p *Program) ConstTensors() []*tensors.Tensor {
	out := make([]*tensors.Tensor, len(p.Consts))
	for i, v := range p.Consts {
		out[i] = v.Value
	}
	return out
}

func (p *Program) lowerPopulation(ip *ir.Population, byName map[string]*Population) error {
	neuron, err := newNeuron(ip)
	if err != nil {
		return err
	}
	if _, err := dynamics.MethodByName(ip.Integrator); err != nil {
		return err
	}
	switch src := neuron.(type) {
	case *dynamics.Poisson:
		if r := ip.Params["rate"]; r*p.Net.Dt/1000 > 1 {
			return fmt.Errorf("params.rate: %g Hz fires more than once per step of %g ms (at most %g Hz)", r, p.Net.Dt, 1000/p.Net.Dt)
		}
		src.Key = p.HashKey("poisson:" + ip.Name)
	case *dynamics.SpikeTimes:
		if err := loadSpikeTimes(src, ip); err != nil {
			return err
		}
		src.Until = int(math.Round(p.Net.Duration / p.Net.Dt)) // ≤ ir.MaxSteps (validated)
		if _, _, _, err := src.Table(p.Net.Dt, ip.Size); err != nil {
			return err
		}
	}
	pop := &Population{Population: ip, Index: len(p.Pops), Neuron: neuron}
	if err := p.drawPopulation(pop); err != nil {
		return err
	}
	if ip.Input.Kind == "ou" {
		pop.OU = p.addState(ip.Name+"."+ir.OUTrace, p.DType, ip.Size).overPop(pop, 0)
	}
	p.Pops = append(p.Pops, pop)
	byName[ip.Name] = pop
	return nil
}

// newNeuron is a population's model with its parameters.
func newNeuron(ip *ir.Population) (dynamics.Neuron, error) {
	if ip.Equations != nil {
		return dynamics.NewEquations(ip.Equations.WithValues(ip.Params)), nil
	}
	return dynamics.NewNeuron(ip.Model, ip.Params)
}

// proceduralKey derives a projection's 32-bit connectivity key from the
// network seed and the projection's stream.
func proceduralKey(seed, stream uint64) uint32 {
	x := seed ^ stream*0x9E3779B97F4A7C15
	return ops.Hash32(uint32(x) ^ ops.Hash32(uint32(x>>32)))
}

// scalar makes a host scalar of the simulation dtype.
func (p *Program) scalar(v float64) *tensors.Tensor {
	if p.DType == dtypes.Float64 {
		return tensors.FromValue(v)
	}
	return tensors.FromValue(float32(v))
}

// ProjectionBytes is the device memory a projection's constants hold.
func (p *Program) ProjectionBytes(pr *Projection) int64 {
	n := pr.Weight.Bytes()
	if d := pr.Delay; d != nil && d.PerSynapse != nil {
		n += d.StepsTable.Bytes()
	}
	if o := pr.Own; o != nil {
		for _, v := range []*Var{o.Ptr, o.Indices, o.Weights} {
			if v != nil {
				n += v.Bytes()
			}
		}
		return n
	}
	if pr.Kernel == plan.KernelProcedural || pr.Kernel == plan.KernelAllToAll || pr.Kernel == plan.KernelPoisson {
		return n
	}
	if pr.Kernel == plan.KernelEvent {
		if pr.SynWeights != nil {
			return n + int64(pr.Matrix.NumSynapses())*(4+int64(p.DType.Size()))
		}
		return n + int64(pr.Matrix.NumSynapses())*4
	}
	return n + pr.PreList.Bytes() + pr.PostList.Bytes()
}

// loadSpikeTimes gives a SpikeTimes source its spikes, from the spec or
// from its .npz as the network was loaded with it (ir.SpikeTimes.Read).
func loadSpikeTimes(src *dynamics.SpikeTimes, ip *ir.Population) error {
	sp := ip.Spikes
	switch {
	case sp == nil:
		return fmt.Errorf("a SpikeTimes population needs spikes")
	case sp.File == "":
		src.Times, src.Indices = sp.Times, sp.Indices
	case sp.Read == nil:
		return notRead(sp.File)
	default:
		src.Times, src.Indices = sp.Read.Times, sp.Read.Indices
	}
	return nil
}

// notRead is the error of a data file the network names but was not
// loaded with: lowering reads no file.
func notRead(path string) error {
	return fmt.Errorf("%s was not read: a network that names data files is loaded with them (netspec.ReadData; specs read by netspec and brainc.New are)", path)
}
