package lower

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/catalog"
	"github.com/brainc/brainc/connect"
	"github.com/brainc/brainc/dynamics"
	"github.com/brainc/brainc/eqs"
	"github.com/brainc/brainc/ir"
)

// Values drawn on the host: initial states, per-neuron parameters and
// inputs, per-synapse weights. Each has a random stream of its own
// (seed, name), so adding a population or a projection changes no other
// draw.

// draw gives n values of a distribution from its own stream: the values
// drawn (and checked) when the program was built for this stream, else a
// draw of a constant, normal, uniform or lognormal value.
func (p *Program) draw(in ir.Init, stream string, n int) []float64 {
	if v, ok := p.drawn[stream]; ok {
		return v
	}
	v, _ := p.drawValues(in, stream, "", n)
	return v
}

// drawValues draws n values; who names the population whose r an
// expression reads. File and expression values may fail.
func (p *Program) drawValues(in ir.Init, stream, who string, n int) ([]float64, error) {
	v := make([]float64, n)
	switch in.Kind {
	case ir.InitFile:
		return fileValues(in, n)
	case ir.InitValues:
		if in.Given == nil || len(in.Given.Values) != n {
			var got int
			if in.Given != nil {
				got = len(in.Given.Values)
			}
			return nil, fmt.Errorf("%d values given, expected %d (one per neuron)", got, n)
		}
		return slices.Clone(in.Given.Values), nil
	case ir.InitExpr:
		r := p.uniforms("r:"+who, n)
		vars := map[string]float64{"N": float64(n)}
		for i := range v {
			vars["i"], vars["r"] = float64(i), r[i]
			v[i] = eqs.Eval(in.Expr, vars) * in.Scale
		}
		return v, nil
	}
	r := rand.New(rand.NewPCG(p.stream(stream)))
	mu, sigma := 0.0, 0.0
	if in.Kind == ir.InitLognormal {
		sigma = math.Sqrt(math.Log1p(in.B * in.B / (in.A * in.A)))
		mu = math.Log(in.A) - sigma*sigma/2
	}
	for i := range v {
		switch in.Kind {
		case ir.InitNormal:
			v[i] = in.A + in.B*r.NormFloat64()
		case ir.InitUniform:
			v[i] = in.A + (in.B-in.A)*r.Float64()
		case ir.InitLognormal:
			v[i] = math.Exp(mu + sigma*r.NormFloat64())
		default:
			v[i] = in.A
		}
		if in.Clip {
			v[i] = min(max(v[i], in.Lo), in.Hi)
		}
	}
	return v, nil
}

// stream is the seed and the stream number of the random sequence named
// stream, "kind:owner" or "kind:owner.rest" ("conn:E2I", "init:E.V"): the
// network's seed and the name's stream, or, when the owner is a replica
// (ir.Network.Replicas), its instance's seed and the stream of the same
// name with the original owner, so that a copy draws what its original
// draws alone.
func (p *Program) stream(stream string) (seed, id uint64) {
	kind, rest, _ := strings.Cut(stream, ":")
	owner, tail, dotted := strings.Cut(rest, ".")
	if r, ok := p.Net.Replicas[owner]; ok {
		stream = kind + ":" + r.Of
		if dotted {
			stream += "." + tail
		}
		return r.Seed, connect.Stream(stream)
	}
	return p.Net.Seed, connect.Stream(stream)
}

// copies is how many copies of the same original as name the network holds
// (ir.Network.Replicas; 1 for a network without them).
func (p *Program) copies(name string) int {
	r, ok := p.Net.Replicas[name]
	if !ok {
		return 1
	}
	if p.copiesOf == nil {
		p.copiesOf = map[string]int{}
		for _, o := range p.Net.Replicas {
			p.copiesOf[o.Of]++
		}
	}
	return p.copiesOf[r.Of]
}

// HashKey is the 32-bit hash key of the random sequence named stream (see
// Program.stream), for the counter-based draws of the step.
func (p *Program) HashKey(stream string) uint32 { return proceduralKey(p.stream(stream)) }

// uniforms are n uniform draws in [0, 1) of a stream, the same every time.
func (p *Program) uniforms(stream string, n int) []float64 {
	r := rand.New(rand.NewPCG(p.stream(stream)))
	v := make([]float64, n)
	for i := range v {
		v[i] = r.Float64()
	}
	return v
}

// fileValues are the n values of an .npy file, as the network was loaded
// with it (ir.Init.Read).
func fileValues(in ir.Init, n int) ([]float64, error) {
	r := in.Read
	if r == nil {
		return nil, notRead(in.File)
	}
	if len(r.Values) != n || len(r.Shape) != 1 {
		return nil, fmt.Errorf("%s holds an array of shape %v, expected %d values (one per neuron)", in.File, r.Shape, n)
	}
	return slices.Clone(r.Values), nil
}

// drawChecked draws the values of stream (see drawValues), checks that
// each is finite and passes check (nil: finite only; else it returns what
// is wrong with a value, "" when nothing is) and keeps them for draw. An
// error names the first neuron whose value fails, and the value with its
// unit.
func (p *Program) drawChecked(in ir.Init, stream, who string, n int, unit string, check func(x float64) string) ([]float64, error) {
	v, err := p.drawValues(in, stream, who, n)
	if err != nil {
		return nil, err
	}
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("the value of neuron %d is %s: values must be finite", i, withUnit(x, unit))
		}
		if check != nil {
			if msg := check(x); msg != "" {
				return nil, fmt.Errorf("the value of neuron %d is %s: %s%s", i, withUnit(x, unit), msg, boundHint(in))
			}
		}
	}
	if p.drawn == nil {
		p.drawn = map[string][]float64{}
	}
	p.drawn[stream] = v
	return v, nil
}

// withUnit writes x with its unit ("-5 ms", "0.3").
func withUnit(x float64, unit string) string {
	s := strconv.FormatFloat(x, 'g', -1, 64)
	if unit != "" {
		s += " " + unit
	}
	return s
}

// boundHint says how to keep a drawn distribution's values in range; files
// and expressions give their values as they are.
func boundHint(in ir.Init) string {
	switch in.Kind {
	case ir.InitNormal, ir.InitUniform, ir.InitLognormal:
		if !in.Clip {
			return " (bound the distribution with clip(…, lo, hi))"
		}
	}
	return ""
}

// paramRange is the range check of a parameter that takes one value per
// neuron (nil when any finite value will do).
func paramRange(ps *catalog.ParamSpec) func(float64) string {
	switch {
	case ps.Positive:
		return func(x float64) string {
			if !(x > 0) {
				return ps.Name + " must be > 0"
			}
			return ""
		}
	case ps.NonNegative:
		return func(x float64) string {
			if !(x >= 0) {
				return ps.Name + " must be ≥ 0"
			}
			return ""
		}
	}
	return nil
}

// drawPopulation draws a population's per-neuron parameters (into
// pop.Values, for models whose parameters may vary), inputs and initial
// values, checking each value: finite, in its parameter's range, and in
// order for the model's ordered pairs (V_reset below V_th), neuron by
// neuron.
func (p *Program) drawPopulation(pop *Population) error {
	m, _ := pop.Population.ModelSpec()
	for _, name := range slices.Sorted(maps.Keys(pop.Vary)) {
		vn, ok := pop.Neuron.(interface{ Varies(string) bool })
		if in := pop.Vary[name]; in.Kind == ir.InitConst && (!ok || !vn.Varies(name)) {
			continue // one value for every neuron: Params holds it already
		}
		if !ok || !vn.Varies(name) {
			return fmt.Errorf("params.%s: %s takes one value per population; per-neuron values need a model that allows them (LifRef, a model given by equations, or a Go model implementing dynamics.PerNeuron)", name, pop.Model)
		}
		var check func(float64) string
		unit := ""
		if ps, ok := m.Param(name); ok {
			check, unit = paramRange(ps), ps.Dim.BaseUnit()
		}
		v, err := p.drawChecked(pop.Vary[name], "param:"+pop.Name+"."+name, pop.Name, pop.Size, unit, check)
		if err != nil {
			return fmt.Errorf("params.%s: %w", name, err)
		}
		if pop.Values == nil {
			pop.Values = map[string][]float64{}
		}
		pop.Values[name] = v
	}
	if err := checkOrder(pop, m); err != nil {
		return err
	}
	if in := pop.Input.PerNeuron; in != nil {
		v, err := p.drawChecked(*in, "input:"+pop.Name, pop.Name, pop.Size, "", nil)
		if err != nil {
			return fmt.Errorf("input: %w", err)
		}
		pop.InputArray = p.addConst(pop.Name+".input", p.floats(v, len(v))).overPop(pop, 0)
	}
	for _, name := range slices.Sorted(maps.Keys(pop.Init)) {
		if in := pop.Init[name]; in.Kind == ir.InitFile || in.Kind == ir.InitExpr || in.Kind == ir.InitValues {
			unit := ""
			if st, ok := m.State(name); ok {
				unit = st.Dim.BaseUnit()
			}
			if _, err := p.drawChecked(in, "init:"+pop.Name+"."+name, pop.Name, pop.Size, unit, nil); err != nil {
				return fmt.Errorf("init.%s: %w", name, err)
			}
		}
	}
	return nil
}

// checkOrder checks the model's ordered parameter pairs (m.Below: V_reset
// below V_th) neuron by neuron where either takes one value per neuron
// (ir.Validate checks the pairs of constants).
func checkOrder(pop *Population, m *catalog.ModelSpec) error {
	for _, pair := range m.Below {
		a, b := pop.Values[pair[0]], pop.Values[pair[1]]
		if a == nil && b == nil {
			continue
		}
		at := func(v []float64, name string, i int) float64 {
			if v == nil {
				return pop.Params[name]
			}
			return v[i]
		}
		unit := ""
		if ps, ok := m.Param(pair[0]); ok {
			unit = ps.Dim.BaseUnit()
		}
		for i := range pop.Size {
			if x, y := at(a, pair[0], i), at(b, pair[1], i); !(x < y) {
				return fmt.Errorf("params.%s: the value of neuron %d is %s: it must be below %s, which is %s there",
					pair[0], i, withUnit(x, unit), pair[1], withUnit(y, unit))
			}
		}
	}
	return nil
}

// InitialState draws the initial state on the host from the network seed:
// each (population, variable) has its own random stream, so adding a
// population does not change the others.
func (p *Program) InitialState() []*tensors.Tensor {
	out := make([]*tensors.Tensor, len(p.State))
	out[0] = tensors.FromValue(int32(0))
	for _, b := range p.Blocks {
		for _, name := range b.StateNames {
			v := b.States[name]
			if v.DType == dtypes.Int32 { // step counters
				out[v.Index] = tensors.FromFlatDataAndDimensions(slices.Repeat([]int32{dynamics.NeverSpiked}, b.Size), b.Size)
				continue
			}
			var x []float64
			for _, pop := range b.Pops {
				x = append(x, p.drawInit(pop, name)...)
			}
			out[v.Index] = p.floats(x, b.Size)
		}
		out[b.Spike.Index] = tensors.FromFlatDataAndDimensions(make([]bool, b.Size), b.Size)
		for _, pop := range b.Pops {
			if pop.OU != nil { // the OU current starts at its mean
				out[pop.OU.Index] = p.floats(slices.Repeat([]float64{pop.Input.Value}, pop.Size), pop.Size)
			}
		}
	}
	for _, pr := range p.Projs {
		if pr.STP != nil {
			out[pr.STPU.Index] = p.floats(slices.Repeat([]float64{pr.STP.Rest}, pr.Pre.Size), pr.Pre.Size)
			out[pr.STPX.Index] = p.floats(slices.Repeat([]float64{1}, pr.Pre.Size), pr.Pre.Size)
		}
	}
	for _, pr := range p.Projs {
		if d := pr.Delay; d != nil {
			n := d.Buf.Shape
			out[d.Buf.Index] = p.floats(make([]float64, n[0]*n[1]), n...)
		}
		if pl := pr.Plastic; pl != nil {
			s := pr.Matrix.NumSynapses()
			w := slices.Repeat([]float64{pr.Projection.Weight}, s)
			for k, x := range pr.SynWeights { // a conn file's per-synapse weights
				w[k] *= x
			}
			if pl.Event {
				w = append(w, 0) // the pad entry
			}
			out[pl.W.Index] = p.floats(w, len(w))
			nPost := p.Net.Population(pr.Post).Size
			if pl.Eq == nil {
				out[pl.XPre.Index] = p.floats(make([]float64, pr.Pre.Size), pr.Pre.Size)
				out[pl.XPost.Index] = p.floats(make([]float64, nPost), nPost)
			}
			for _, v := range pl.PreVars {
				out[v.Index] = p.floats(make([]float64, pr.Pre.Size), pr.Pre.Size)
			}
			for _, v := range pl.PostVars {
				out[v.Index] = p.floats(make([]float64, nPost), nPost)
			}
			for _, v := range pl.SynVars { // per-synapse variables start at 0
				out[v.Index] = p.floats(make([]float64, len(w)), len(w))
			}
			if pl.LastUpdate != nil {
				out[pl.LastUpdate.Index] = tensors.FromFlatDataAndDimensions(make([]int32, len(w)), len(w))
			}
		}
	}
	for _, ps := range p.PreStates {
		for _, v := range ps.Vars {
			out[v.Index] = p.floats(make([]float64, ps.Block.Size), ps.Block.Size)
		}
	}
	for _, g := range p.Groups {
		n := g.Post.Size
		for _, v := range g.Vars {
			out[v.Index] = p.floats(make([]float64, n), n)
		}
		if g.G == nil {
			continue
		}
		g0 := make([]float64, n)
		for _, part := range g.Parts {
			if part.Init != nil {
				copy(g0[part.Pop.Offset:], p.draw(*part.Init, "init:"+part.Projs[0].Name+".g", part.Pop.Size))
			}
		}
		out[g.G.Index] = p.floats(g0, n)
	}
	return out
}

func (p *Program) floats(v []float64, dims ...int) *tensors.Tensor {
	if p.DType == dtypes.Float64 {
		return tensors.FromFlatDataAndDimensions(v, dims...)
	}
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return tensors.FromFlatDataAndDimensions(f, dims...)
}

// drawInit draws the initial values of one state variable.
func (p *Program) drawInit(pop *Population, name string) []float64 {
	init, ok := pop.Init[name]
	if !ok {
		init = ir.Init{Kind: ir.InitConst, A: defaultInit(pop, name)}
	}
	return p.draw(init, "init:"+pop.Name+"."+name, pop.Size)
}

// defaultInit is a state's catalogue default: the value of the parameter it
// defaults from, or its default value.
func defaultInit(pop *Population, name string) float64 {
	if m, ok := pop.Population.ModelSpec(); ok {
		if s, ok := m.State(name); ok {
			if s.DefaultFrom != "" {
				return pop.Params[s.DefaultFrom]
			}
			return s.Default
		}
	}
	return 0
}

// HostFloats reads a host tensor's values as float64: float values as they
// are, Int32 as numbers, Bool as 0 and 1 (nil for another dtype).
func HostFloats(t *tensors.Tensor) []float64 {
	var out []float64
	t.ConstFlatData(func(v any) {
		switch x := v.(type) {
		case []float64:
			out = slices.Clone(x)
		case []float32:
			out = make([]float64, len(x))
			for i, f := range x {
				out[i] = float64(f)
			}
		case []int32:
			out = make([]float64, len(x))
			for i, f := range x {
				out[i] = float64(f)
			}
		case []bool:
			out = make([]float64, len(x))
			for i, f := range x {
				if f {
					out[i] = 1
				}
			}
		}
	})
	return out
}
