package lower

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/brainc/brainc/connect"
	"github.com/brainc/brainc/dynamics"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/plan"
)

// lowerProjection builds a projection's connectivity, kernel, delay line
// and plasticity, and merges it into a synaptic group of its target.
func (p *Program) lowerProjection(ipr *ir.Projection, byName map[string]*Population, opts Options) error {
	post := byName[ipr.Post]
	if post.Neuron.Potential() == "" {
		// A model given by equations may read the input I without a state
		// of voltage dimension (a rate model): it takes currents (CUBA),
		// not what reads a potential.
		eq, ok := post.Neuron.(*dynamics.Equations)
		switch {
		case !ok || !eq.Model.UsesInput:
			return fmt.Errorf("post population %s (%s) has no membrane potential and takes no input", post.Name, post.Model)
		case ipr.Output.Model != "CUBA":
			return fmt.Errorf("output %s reads the membrane potential, and post population %s (equations) has no state of voltage dimension: use output CUBA, which adds the synaptic variable to its input %s", ipr.Output.Model, post.Name, "I")
		}
	}
	var out dynamics.Output
	var err error
	if o := ipr.Output.Output; o != nil {
		out = dynamics.NewEquationOutput(o.WithValues(ipr.Output.Params))
	} else if out, err = dynamics.NewOutput(ipr.Output.Model, ipr.Output.Params); err != nil {
		return err
	}
	pr := &Projection{Projection: ipr, Target: post}
	if ipr.Synapse.Model == dynamics.GapJunctionModel {
		pr.Pre = byName[ipr.Pre]
		return p.lowerGap(pr, opts)
	}
	var syn dynamics.Synapse
	preSyn, kinetic := dynamics.NewPreSynapse(ipr.Synapse.Model, ipr.Synapse.Params)
	switch {
	case ipr.Synapse.Synapse != nil:
		syn = dynamics.NewEquationSynapse(ipr.Synapse.Synapse.WithValues(ipr.Synapse.Params))
	case !kinetic:
		if syn, err = dynamics.NewSynapse(ipr.Synapse.Model, ipr.Synapse.Params); err != nil {
			return err
		}
	}
	if ipr.Poisson != nil {
		if kinetic {
			return fmt.Errorf("a poisson input needs a synapse kept per postsynaptic neuron (Expon, DualExpon or Alpha), got %s", ipr.Synapse.Model)
		}
		if lambda := float64(ipr.Poisson.Num) * ipr.Poisson.Rate * p.Net.Dt / 1000; lambda > maxPoissonMean {
			return fmt.Errorf("poisson: num × rate × dt is %.3g arrivals per neuron and step, over the limit of %g", lambda, float64(maxPoissonMean))
		}
		pr.Kernel, pr.Why = plan.KernelPoisson, "Poisson input: counts drawn per neuron and step"
		pr.PoissonKey = p.HashKey("poisson-input:" + ipr.Name)
		pr.Weight = p.addConst(ipr.Name+".weight", p.scalar(ipr.Weight))
	} else {
		pr.Pre = byName[ipr.Pre]
		if kinetic && (ipr.STP != nil || ipr.Plastic()) {
			return fmt.Errorf("stp and stdp act on spikes; %s transmits a continuous g kept per presynaptic neuron (use Expon, DualExpon or Alpha)", ipr.Synapse.Model)
		}
		if err := p.connect(pr, post, opts, kinetic, byName); err != nil {
			return err
		}
		if kinetic {
			pr.PreState = p.preState(pr.Pre, preSyn)
		}
	}
	p.Projs = append(p.Projs, pr)
	return p.merge(pr, post, syn, out)
}

// checkWeights checks a projection's weights synapse by synapse before the
// run: each per-synapse weight (drawn, or read from a conn file) times the
// projection's weight must be finite and of magnitude ≤ ir.MaxWeight, and
// every weight of an stdp projection must lie in its bounds [w_min, w_max]
// (ir.Validate checks one weight for every synapse). An error names the
// first synapse out of range, by its neurons, and its weight.
func checkWeights(ipr *ir.Projection, syn []float64, m *connect.Matrix) error {
	if syn == nil && ipr.STDP == nil {
		return nil
	}
	bad := func(k int, w float64, msg string) error {
		pre, post := m.COO()
		hint := ""
		if in := ipr.WeightDist; in != nil {
			hint = boundHint(*in)
		}
		return fmt.Errorf("weight: synapse %d (neuron %d of %s → neuron %d of %s) has weight %g: %s%s",
			k, pre[k], ipr.Pre, post[k], ipr.Post, w, msg, hint)
	}
	for k := range m.NumSynapses() {
		w := ipr.Weight
		if syn != nil {
			w *= syn[k]
		}
		if math.IsNaN(w) || math.Abs(w) > ir.MaxWeight {
			return bad(k, w, fmt.Sprintf("weights must be finite numbers of magnitude ≤ %g", ir.MaxWeight))
		}
		if s := ipr.STDP; s != nil && !(w >= s.WMin && w <= s.WMax) {
			return bad(k, w, fmt.Sprintf("outside the stdp bounds [w_min, w_max] = [%g, %g]", s.WMin, s.WMax))
		}
	}
	return nil
}

// givenSynapses checks that given per-synapse weights (ir.InitValues) fit
// the connectivity m: one per synapse and, when the Init names its
// synapses, those of m in its order.
func givenSynapses(in ir.Init, m *connect.Matrix) error {
	g := in.Given
	if in.Kind != ir.InitValues || g == nil {
		return nil
	}
	if n := m.NumSynapses(); len(g.Values) != n {
		return fmt.Errorf("weight: %d weights given for %d synapses: they belong to other connectivity (another spec, seed or connection rule)", len(g.Values), n)
	}
	if g.Pre == nil {
		return nil
	}
	pre, post := m.COO()
	for k := range pre {
		if pre[k] != g.Pre[k] || post[k] != g.Post[k] {
			return fmt.Errorf("weight: synapse %d connects neuron %d to neuron %d, but the weights given are for a synapse from neuron %d to neuron %d: they belong to other connectivity (another spec, seed or connection rule)",
				k, pre[k], post[k], g.Pre[k], g.Post[k])
		}
	}
	return nil
}

// maxPoissonMean bounds a Poisson input's mean count per neuron and step:
// past it the float32 counts lose integers and the input is not meaningful.
const maxPoissonMean = 1e6

// connect builds a projection's connectivity (or its procedural generator)
// and chooses its kernel; then lays out its weights, delays and plasticity.
func (p *Program) connect(pr *Projection, post *Population, opts Options, kinetic bool, byName map[string]*Population) error {
	ipr, pre := pr.Projection, pr.Pre
	force := opts.Kernel
	if opts.Differentiable {
		force = plan.KernelDense
	}
	stateful := ipr.STP != nil || ipr.Plastic() || kinetic || ipr.WeightDist != nil // per-synapse weights are stored
	rate := ipr.Carries != ""                                                       // every source sends a value each step
	perSynapseDelay := ipr.Delay.Kind == ir.InitUniform || ipr.Delay.Kind == ir.InitNormal
	if k, why, ok := plan.ChooseProcedural(plan.Kernel(ipr.Kernel), force, ipr, pre.Size, post.Size); ok && !stateful && !perSynapseDelay && !rate {
		proc, err := p.procedural(pr, post)
		if err != nil {
			return err
		}
		pr.Proc, pr.Kernel, pr.Why = &proc, k, why
		pre.Block.Compact = true
		pr.Weight = p.addConst(ipr.Name+".weight", p.scalar(ipr.Weight))
		return p.delay(pr, post, nil)
	}
	if ipr.Conn.Rule == ir.ConnAllToAll && !ipr.Plastic() && ipr.WeightDist == nil && !perSynapseDelay && opts.Kernel == "" &&
		ipr.Coupling.Kind != ir.CouplingDifference &&
		(ipr.Kernel == "" || ipr.Kernel == "auto") {
		pr.Kernel, pr.Why = plan.KernelAllToAll, "auto: all_to_all with one weight, each target gets w·Σ of the sources"
		if ipr.STP != nil {
			pr.Why += ", each source's spike scaled by its short-term plasticity efficacy"
			p.addSTP(pr)
		}
		pr.Weight = p.addConst(ipr.Name+".weight", p.scalar(ipr.Weight))
		return p.delay(pr, post, nil)
	}
	m, lists, err := p.matrix(pr, post, opts)
	if err != nil {
		return err
	}
	pr.Matrix, pr.SynWeights = m, lists.Weight
	if w := ipr.WeightDist; w != nil {
		if err := givenSynapses(*w, m); err != nil {
			return err
		}
		pr.SynWeights = p.draw(*w, "weight:"+ipr.Name, m.NumSynapses())
	}
	if err := checkWeights(ipr, pr.SynWeights, m); err != nil {
		return err
	}
	pr.Kernel, pr.Why = plan.ChooseKernel(plan.Kernel(ipr.Kernel), force, m.NumSynapses(), p.copies(ipr.Name))
	switch {
	case rate && pr.Kernel != plan.KernelDense:
		pr.Kernel, pr.Why = plan.KernelDense, "rate coupling: every source sends its "+ipr.Carries+" each step, a full pass over the synapses"
	case rate:
		pr.Why += "; rate coupling: every source sends its " + ipr.Carries + " each step"
	}
	if opts.Differentiable && opts.Kernel == "" {
		pr.Why = "training: the same synapses as event or procedural, whose kernels have no backward rule yet"
	}
	switch {
	case ipr.STP != nil:
		if pr.Kernel == plan.KernelEvent {
			pr.Why += "; short-term plasticity scales each firing row: own table"
		}
		p.addSTP(pr)
	case ipr.Plastic():
		pl := &Plastic{Event: pr.Kernel == plan.KernelEvent}
		if s := ipr.STDP; s != nil {
			pl.Rule = dynamics.STDP{TauPlus: s.TauPlus, TauMinus: s.TauMinus, APlus: s.APlus,
				AMinus: s.AMinus, WMin: s.WMin, WMax: s.WMax}
		} else {
			pl.Eq = dynamics.NewEquationPlasticity(ipr.Plasticity)
		}
		pr.Plastic = pl
		n := m.NumSynapses()
		clockDriven := pl.Eq != nil && len(pl.Eq.Rule.ClockDrivenVars()) > 0
		if pl.Event {
			pr.Why += "; STDP updates the synapses of the neurons that fired, rows and columns"
			if clockDriven {
				pr.Why += ", and the clock-driven variables at every synapse each step"
			}
			n++ // the pad entry
			p.transposedTable(pr)
			post.Block.Compact = true
		} else {
			pr.Why += "; STDP updates every synapse each step"
		}
		pl.W = p.addState(ipr.Name+".w", p.DType, n)
		if pl.Eq == nil {
			pl.XPre = p.addState(ipr.Name+".x_pre", p.DType, pre.Size).overPop(pre, 0)
			pl.XPost = p.addState(ipr.Name+".x_post", p.DType, post.Size).overPop(post, 0)
			break
		}
		pl.PreVars, pl.PostVars = map[string]*Var{}, map[string]*Var{}
		for _, name := range pl.Eq.PreNames() {
			pl.PreVars[name] = p.addState(ipr.Name+"."+name, p.DType, pre.Size).overPop(pre, 0)
		}
		for _, name := range pl.Eq.PostNames() {
			pl.PostVars[name] = p.addState(ipr.Name+"."+name, p.DType, post.Size).overPop(post, 0)
		}
		if err := p.synapseState(pr, n, byName); err != nil {
			return err
		}
	case kinetic && pr.Kernel == plan.KernelEvent:
		pr.Kernel, pr.Why = plan.KernelDense, "a kinetic synapse transmits a continuous g, not events: dense kernel"
	}
	if pr.SynWeights != nil && pr.Kernel == plan.KernelDense && pr.Plastic == nil {
		w := make([]float64, len(pr.SynWeights))
		for k, x := range pr.SynWeights {
			w[k] = x * ipr.Weight
		}
		pr.Weight = p.addConst(ipr.Name+".weight", p.floats(w, len(w)))
	} else {
		pr.Weight = p.addConst(ipr.Name+".weight", p.scalar(ipr.Weight))
	}
	if pr.Kernel == plan.KernelDense {
		preList, postList := m.COO()
		pr.PreList = p.addConst(ipr.Name+".pre", tensors.FromFlatDataAndDimensions(preList, len(preList)))
		pr.PostList = p.addConst(ipr.Name+".post", tensors.FromFlatDataAndDimensions(postList, len(postList)))
		if ipr.Coupling.Kind == ir.CouplingDifference {
			sums := make([]float64, post.Size)
			for k, j := range postList {
				w := ipr.Weight
				if pr.SynWeights != nil {
					w *= pr.SynWeights[k]
				}
				sums[j] += w
			}
			pr.RowSums = p.addConst(ipr.Name+".row_sums", p.floats(sums, len(sums))).overPop(post, 0)
		}
	}
	if err := p.delay(pr, post, lists.Delay); err != nil {
		return err
	}
	if pr.Kernel == plan.KernelEvent {
		pre.Block.Compact = true
		if pr.STP != nil || pr.Plastic != nil || pr.Delay != nil && pr.Delay.PerSynapse != nil {
			p.ownTable(pr)
		} else {
			pre.Block.Events = append(pre.Block.Events, pr)
		}
	}
	return nil
}

// synapseState lays out a rule's variables kept per synapse (n entries,
// as its weights), the steps of the synapses' last events when it has
// event-driven variables, the synapses' neurons in table order when a
// clock-driven equation on the event kernel reads traces, and its
// modulators.
func (p *Program) synapseState(pr *Projection, n int, byName map[string]*Population) error {
	pl, r, ipr := pr.Plastic, pr.Plastic.Eq.Rule, pr.Projection
	pl.SynVars = map[string]*Var{}
	for _, name := range r.SynapticNames() {
		pl.SynVars[name] = p.addState(ipr.Name+"."+name, p.DType, n)
	}
	if len(r.EventDrivenVars()) > 0 {
		pl.LastUpdate = p.addState(ipr.Name+".lastupdate", dtypes.Int32, n)
	}
	if pl.Event && len(r.ClockDrivenVars()) > 0 && len(r.Pre)+len(r.Post) > 0 {
		pre, post := pr.Matrix.COO()
		pre, post = append(pre, int32(pr.Matrix.NPre)), append(post, int32(pr.Matrix.NPost))
		pl.SynPre = p.addConst(ipr.Name+".syn_pre", tensors.FromFlatDataAndDimensions(pre, len(pre)))
		pl.SynPost = p.addConst(ipr.Name+".syn_post", tensors.FromFlatDataAndDimensions(post, len(post)))
	}
	for _, md := range ipr.Modulators {
		src := byName[md.Pop]
		if src == nil {
			return specError(p.Net, md.Line, "projections."+ipr.Name+".plasticity.modulators."+md.Name, fmt.Errorf("unknown population %q", md.Pop))
		}
		idx, ok := src.Block.States[md.Var]
		if !ok {
			return specError(p.Net, md.Line, "projections."+ipr.Name+".plasticity.modulators."+md.Name, fmt.Errorf("population %s has no state %q here", md.Pop, md.Var))
		}
		pl.Mods = append(pl.Mods, Modulator{Name: md.Name, Pop: src, State: idx})
	}
	return nil
}

// addSTP gives a projection its short-term plasticity: the rule and the
// per-presynaptic states u and x.
func (p *Program) addSTP(pr *Projection) {
	s := pr.Projection.STP
	pr.STP = &dynamics.STP{U: s.U, TauF: s.TauF, TauD: s.TauD, Rest: s.U}
	if s.Form == ir.STPFormTPM98 {
		pr.STP.Rest = 0
	}
	pr.STPU = p.addState(pr.Name+".u", p.DType, pr.Pre.Size).overPop(pr.Pre, 0)
	pr.STPX = p.addState(pr.Name+".x", p.DType, pr.Pre.Size).overPop(pr.Pre, 0)
}

// transposedTable lays out a plastic event projection's synapses by
// postsynaptic column (dynamics.EventTables): column pointers, the
// presynaptic neuron of each entry and its position in the CSR table.
func (p *Program) transposedTable(pr *Projection) {
	m, pl := pr.Matrix, pr.Plastic
	colptr := make([]int32, m.NPost+2)
	for _, j := range m.Indices {
		colptr[j+1]++
	}
	for j := 0; j < m.NPost; j++ {
		pl.ColWidth = max(pl.ColWidth, int(colptr[j+1]))
		colptr[j+1] += colptr[j]
	}
	colptr[m.NPost+1] = colptr[m.NPost]
	pl.ColWidth = max(pl.ColWidth, 1)
	s := m.NumSynapses()
	sources, perm := make([]int32, s+1), make([]int32, s+1)
	next := slices.Clone(colptr[:m.NPost])
	for i := 0; i < m.NPre; i++ {
		for k := m.Indptr[i]; k < m.Indptr[i+1]; k++ {
			j := m.Indices[k]
			sources[next[j]], perm[next[j]] = int32(i), k
			next[j]++
		}
	}
	// The pad entry's position is past the weights [S+1]: the padding's
	// potentiation is dropped by the scatter instead of piling onto w[S].
	sources[s], perm[s] = int32(m.NPre), int32(s+1)
	pl.ColPtr = p.addConst(pr.Name+".stdp_colptr", tensors.FromFlatDataAndDimensions(colptr, len(colptr)))
	pl.Sources = p.addConst(pr.Name+".stdp_sources", tensors.FromFlatDataAndDimensions(sources, len(sources)))
	pl.Perm = p.addConst(pr.Name+".stdp_perm", tensors.FromFlatDataAndDimensions(perm, len(perm)))
}

// ownTable lays out an event-driven projection's own CSR table (Table),
// with its per-synapse weights when it has them.
func (p *Program) ownTable(pr *Projection) {
	m, name := pr.Matrix, pr.Name
	o := &Table{Width: max(m.MaxRow(), 1)}
	indptr := append(slices.Clone(m.Indptr), m.Indptr[m.NPre])
	o.Ptr = p.addConst(name+".table_ptr", tensors.FromFlatDataAndDimensions(indptr, len(indptr)))
	idx := append(slices.Clone(m.Indices), int32(m.NPost))
	o.Indices = p.addConst(name+".table_targets", tensors.FromFlatDataAndDimensions(idx, len(idx)))
	if pr.SynWeights != nil && pr.Plastic == nil { // plastic weights are state
		w := make([]float64, len(pr.SynWeights)+1)
		for k, x := range pr.SynWeights {
			w[k] = x * pr.Projection.Weight
		}
		o.Weights = p.addConst(name+".table_weights", p.floats(w, len(w)))
	}
	pr.Own = o
}

// matrix builds a projection's stored connectivity from its rule, with the
// per-synapse lists of a conn file (weights, delays) in Matrix order.
func (p *Program) matrix(pr *Projection, post *Population, opts Options) (*connect.Matrix, connect.Lists, error) {
	ipr, pre := pr.Projection, pr.Pre
	seed, stream := p.stream("conn:" + ipr.Name)
	copts := connect.Options{Seed: seed, Stream: stream, SamePopulation: ipr.Pre == ipr.Post, AllowSelf: ipr.Conn.AllowSelf}
	var m *connect.Matrix
	var lists connect.Lists
	var err error
	switch ipr.Conn.Rule {
	case ir.ConnFixedProb:
		if opts.StoreProcedural != nil && ipr.Conn.Prob > 0 && ipr.Conn.Prob < 1 {
			var proc ops.Procedural
			if proc, err = p.procedural(pr, post); err == nil {
				m, err = opts.StoreProcedural(proc)
			}
			break
		}
		m, err = connect.FixedProb(pre.Size, post.Size, ipr.Conn.Prob, copts)
	case ir.ConnFixedInDegree:
		m, err = connect.FixedInDegree(pre.Size, post.Size, ipr.Conn.Num, copts)
	case ir.ConnFixedOutDegree:
		m, err = connect.FixedOutDegree(pre.Size, post.Size, ipr.Conn.Num, copts)
	case ir.ConnOneToOne:
		m, err = connect.OneToOne(pre.Size, post.Size)
	case ir.ConnAllToAll:
		m, err = connect.AllToAll(pre.Size, post.Size, copts)
	case ir.ConnGaussian:
		m, err = connect.Gaussian(pre.Size, post.Size, ipr.Conn.Sigma, ipr.Conn.PMax, copts)
	case ir.ConnFromFile, ir.ConnConnectome:
		if l := ipr.Conn.Read; l == nil {
			err = notRead(ipr.Conn.File)
		} else {
			m, lists, err = connect.FromLists(pre.Size, post.Size, *l)
		}
	default:
		err = fmt.Errorf("unknown connectivity rule %q", ipr.Conn.Rule)
	}
	return m, lists, err
}

// procedural is a fixed_prob projection's regenerated connectivity.
func (p *Program) procedural(pr *Projection, post *Population) (ops.Procedural, error) {
	ipr := pr.Projection
	return ops.NewProcedural(pr.Pre.Size, post.Size, ipr.Conn.Prob, p.HashKey("conn:"+ipr.Name),
		ipr.Pre == ipr.Post && !ipr.Conn.AllowSelf)
}

// lowerGap lowers a gap-junction projection: every connection (i, j) of
// its rule couples i and j both ways with conductance weight (times the
// file's per-synapse weight).
func (p *Program) lowerGap(pr *Projection, opts Options) error {
	m, lists, err := p.matrix(pr, pr.Target, opts)
	if err != nil {
		return err
	}
	pr.Matrix, pr.SynWeights = m, lists.Weight
	pr.Kernel, pr.Why = plan.KernelDense, "gap junctions couple potentials every step: dense kernel"
	preList, postList := m.COO()
	n := len(preList)
	from, to := append(slices.Clone(preList), postList...), append(slices.Clone(postList), preList...)
	w := make([]float64, 2*n)
	cond := make([]float64, pr.Target.Size)
	for k := range n {
		w[k] = pr.Projection.Weight
		if lists.Weight != nil {
			w[k] *= lists.Weight[k]
		}
		w[n+k] = w[k]
		cond[preList[k]] += w[k]
		cond[postList[k]] += w[k]
	}
	pr.PreList = p.addConst(pr.Name+".gap_from", tensors.FromFlatDataAndDimensions(from, 2*n))
	pr.PostList = p.addConst(pr.Name+".gap_to", tensors.FromFlatDataAndDimensions(to, 2*n))
	pr.Weight = p.addConst(pr.Name+".weight", p.floats(w, 2*n))
	g := &Gap{Proj: pr, Pop: pr.Target, Cond: p.addConst(pr.Name+".gap_conductance", p.floats(cond, len(cond)))}
	p.Gaps = append(p.Gaps, g)
	p.Projs = append(p.Projs, pr)
	return nil
}

// delay lays out a projection's delay line: one delay for all synapses, or
// one per synapse (drawn from the spec's distribution, or fileDelays in ms,
// in Matrix order). Delays are rounded to whole steps.
func (p *Program) delay(pr *Projection, post *Population, fileDelays []float64) error {
	ipr := pr.Projection
	const maxLen, maxEntries = 1 << 16, 1 << 28
	var tooLong error // the first delay past the ring buffer's limit
	toSteps := func(ms float64) int32 {
		s := math.Round(ms / p.Net.Dt) // compared as a float: a huge delay must not wrap in the cast
		if !(s < maxLen) {
			if tooLong == nil {
				tooLong = fmt.Errorf("a delay of %g ms is %.3g steps at dt %g ms, over the limit of %d steps", ms, s, p.Net.Dt, maxLen-1)
			}
			return 0
		}
		return int32(s)
	}
	var per []int32
	switch {
	case fileDelays != nil:
		per = make([]int32, len(fileDelays))
		for k, d := range fileDelays {
			per[k] = toSteps(d)
		}
	case ipr.Delay.Kind == ir.InitUniform || ipr.Delay.Kind == ir.InitNormal:
		r := rand.New(rand.NewPCG(p.stream("delay:" + ipr.Name)))
		per = make([]int32, pr.Matrix.NumSynapses())
		for k := range per {
			d := ipr.Delay.A + (ipr.Delay.B-ipr.Delay.A)*r.Float64()
			if ipr.Delay.Kind == ir.InitNormal {
				d = max(ipr.Delay.A+ipr.Delay.B*r.NormFloat64(), 0)
			}
			per[k] = toSteps(d)
		}
	}
	steps := int(toSteps(ipr.Delay.A))
	if tooLong != nil {
		return tooLong
	}
	if per != nil {
		steps = int(slices.Max(append(per, 0)))
		if slices.Min(append(per, int32(steps))) == int32(steps) { // all equal
			per = nil
		}
	}
	if steps == 0 && per == nil {
		return nil
	}
	switch {
	case steps+1 > maxLen:
		return fmt.Errorf("delay of %d steps exceeds the limit of %d steps", steps, maxLen-1)
	case (steps+1)*post.Size > maxEntries:
		return fmt.Errorf("a delay of %d steps onto %d neurons needs a ring buffer of %d × %d values, over the limit of %d (use a larger dt or a shorter delay)",
			steps, post.Size, steps+1, post.Size, maxEntries)
	}
	d := &Delay{Steps: steps, PerSynapse: per, Len: steps + 1}
	d.Buf = p.addState(ipr.Name+".delay", p.DType, d.Len, post.Size).overPop(post, 1)
	pr.Delay = d
	if per == nil {
		return nil
	}
	if pr.Kernel == plan.KernelEvent { // aligned with the own table's targets, pad included
		per = append(per, 0)
	}
	d.StepsTable = p.addConst(ipr.Name+".delay_steps", tensors.FromFlatDataAndDimensions(per, len(per)))
	return nil
}

// preState returns the kinetic state of pop's block for syn, creating it
// on first use.
func (p *Program) preState(pop *Population, syn dynamics.PreSynapse) *PreState {
	n := 0
	for _, ps := range p.PreStates {
		if ps.Block == pop.Block && ps.Synapse.Key() == syn.Key() {
			return ps
		}
		if ps.Block == pop.Block {
			n++
		}
	}
	name := pop.Block.Name + "." + modelName(syn)
	if n > 0 {
		name = fmt.Sprintf("%s_%d", name, n+1)
	}
	ps := &PreState{Name: name, Block: pop.Block, Synapse: syn, Vars: map[string]*Var{}}
	for _, v := range syn.States() {
		ps.Vars[v] = p.addState(name+"."+v, p.DType, pop.Block.Size).over(pop.Block, 0)
	}
	p.PreStates = append(p.PreStates, ps)
	return ps
}

// modelName is a kinetic synapse's catalogue name.
func modelName(syn dynamics.PreSynapse) string {
	switch s := syn.(type) {
	case *dynamics.Kinetic:
		return s.Name
	case *dynamics.NMDA:
		return "NMDA"
	}
	return "syn"
}

// merge adds a projection to the synaptic part of post with the same
// dynamics and output, or starts one (packGroups then gathers the parts of
// a block into its groups). Kinetic projections (syn nil) join parts of
// summed transmitted g.
func (p *Program) merge(pr *Projection, post *Population, syn dynamics.Synapse, out dynamics.Output) error {
	ipr := pr.Projection
	var init *ir.Init
	if in, ok := ipr.Init["g"]; ok {
		init = &in
	}
	if pr.PreState != nil && init != nil {
		return fmt.Errorf("init g is not supported for %s, whose state is kept per presynaptic neuron", ipr.Synapse.Model)
	}
	key := "pre-side|" + out.Key()
	if syn != nil {
		key = syn.Key() + "|" + out.Key()
	}
	for _, part := range post.Parts {
		if part.key != key {
			continue
		}
		switch {
		case part.Init == nil && init != nil:
			return fmt.Errorf("init g is set but %s, which shares its synaptic state, has none", part.Projs[0].Name)
		case part.Init != nil && (init == nil || *init != *part.Init):
			return fmt.Errorf("init g must equal that of %s, which shares its synaptic state", part.Projs[0].Name)
		}
		part.Projs = append(part.Projs, pr)
		part.Name += "+" + ipr.Name
		pr.Part = part
		return nil
	}
	part := &Part{Name: ipr.Name, Pop: post, Projs: []*Projection{pr}, Init: init, key: key,
		synapse: syn, output: out, preSide: pr.PreState != nil}
	post.Parts = append(post.Parts, part)
	pr.Part = part
	return nil
}
