package ir

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/brainc/brainc/catalog"
	"github.com/brainc/brainc/eqs"
)

// SpecError is an error in a spec or in a Go-built Network: the file and
// line it comes from (when known), the path of the offending field (e.g.
// "populations.E.params.tau") and what is wrong.
type SpecError struct {
	// File is the spec's file name ("" for Go-built networks).
	File string
	// Line is the 1-based line in File (0 when unknown).
	Line int
	// Field is the dotted path of the offending field ("" for errors about
	// the whole spec, such as YAML syntax errors).
	Field string
	// Msg says what is wrong.
	Msg string
}

// Error formats the error as "<file>:<line>: <field>: <message>". Parts that
// are unknown are left out: ":<line>" when Line is 0, "<file>:" when File is
// "" (a line is then written "line <n>"), and "<field>: " when Field is "".
func (e *SpecError) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		fmt.Fprintf(&b, "%s: ", e.File)
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Accepted values of the string-valued settings.
var (
	integrators = []string{"exp_euler", "euler", "rk2", "rk4"}
	kernels     = []string{"auto", "dense", "event", "procedural"}
	// InputKinds are the kinds of external input a population can take.
	InputKinds = []string{InputConstant, InputRamp, InputSinusoid, InputSection, InputNoise, InputOU}
)

// OUTrace is the trace variable name of a population's Ornstein–Uhlenbeck
// input current (monitors: traces: {E.I_ou: [0, 1]}).
const OUTrace = "I_ou"

// SynCurrentTrace is the trace variable name of the summed synaptic
// current into a population's neurons (every projection's output, gap
// junctions and external input left out), in the units of the model's
// input (monitors: traces: {E.I_syn: [0, 1]}).
const SynCurrentTrace = "I_syn"

// CurrentTrace is the trace variable name of the current a projection's
// output drives into each postsynaptic neuron: g for CUBA, g·(E − V) for
// COBA (monitors: traces: {E2E.I: [0, 1]}). Projections that share their
// synaptic state (same synapse and output onto one population) share it.
const CurrentTrace = "I"

// Defaults used by netspec.Parse and FillDefaults.
const (
	// MaxSteps is the most steps a run may take (its step counter is Int32).
	MaxSteps = 1 << 30
	// MaxPopulationSize is the largest population (neuron indices are Int32,
	// with room for padding).
	MaxPopulationSize = 1 << 30
	// DefaultDt is the integration step (ms) when a spec gives none.
	DefaultDt = 0.1
	// DefaultDuration is the simulated time (ms) when a spec gives none.
	DefaultDuration = 1000.0
	// DefaultIntegrator is a Population's integrator when none is given.
	DefaultIntegrator = "exp_euler"
	// DefaultKernel is a Projection's kernel when none is given.
	DefaultKernel = "auto"
	// MaxWeight bounds the magnitude of every synaptic weight, whether one
	// for a projection, drawn per synapse or read from a conn file: past it
	// a float32 run overflows at the first spikes.
	MaxWeight = 1e30
	// DefaultName is a Network's name when neither the spec nor its file
	// name gives one.
	DefaultName = "network"
)

// identRE matches population, projection and state names: they appear in
// "Pop.Var" trace keys, so they cannot contain dots.
var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// netNameRE matches network names (used in output file names).
var netNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// ValidNetName reports whether name can name a network: letters, digits,
// '_', '.' and '-', not starting with '.' or '-'.
func ValidNetName(name string) bool { return netNameRE.MatchString(name) }

// FillDefaults completes a Go-built Network the way Parse completes a spec:
// a zero Dt, Duration or Name, an empty Integrator or Kernel, and every
// parameter missing from a Params map are set to their defaults (parameters
// from the Catalog). Monitors are left as they are. Models that are not in
// the Catalog are skipped; Validate reports them.
func (n *Network) FillDefaults() {
	if n.Name == "" {
		n.Name = DefaultName
	}
	if n.Dt == 0 {
		n.Dt = DefaultDt
	}
	if n.Duration == 0 {
		n.Duration = DefaultDuration
	}
	for _, p := range n.Populations {
		if p == nil {
			continue
		}
		if p.Integrator == "" {
			p.Integrator = DefaultIntegrator
		}
		if m, ok := p.ModelSpec(); ok {
			p.Params = fillParams(m, p.Params)
		}
	}
	for _, pr := range n.Projections {
		if pr == nil {
			continue
		}
		if pr.Kernel == "" {
			pr.Kernel = DefaultKernel
		}
		if pr.Carries == "" {
			pr.Carries = DefaultCarries(n.Population(pr.Pre))
		}
		if m, ok := pr.Synapse.ModelSpec(catalog.KindSynapse); ok {
			pr.Synapse.Params = fillParams(m, pr.Synapse.Params)
		}
		if m, ok := pr.Output.ModelSpec(catalog.KindOutput); ok {
			pr.Output.Params = fillParams(m, pr.Output.Params)
		}
	}
}

// fillParams adds the defaults of m missing from params (allocating it if nil).
func fillParams(m *catalog.ModelSpec, params map[string]float64) map[string]float64 {
	if params == nil {
		params = make(map[string]float64, len(m.Params))
	}
	for _, ps := range m.Params {
		if _, ok := params[ps.Name]; !ok {
			params[ps.Name] = ps.Default
		}
	}
	return params
}

// Validate checks a Network: a positive dt and duration, unique and
// well-formed names, population sizes > 0, models from the Catalog with all
// of their parameters (and no others) in range, initial values of known state
// variables, projections between existing populations with valid
// connectivity, known integrators and kernels, and monitors of existing
// populations, variables and neurons. It returns the first problem found as a
// *SpecError (with the Line of the population or projection concerned, if
// set), or nil. netspec.Parse runs the same checks on every spec it reads.
//
// Validate does not fill defaults: call FillDefaults first on networks built
// in Go with parameters left out.
func (n *Network) Validate() error {
	if err := n.validate(&checker{}); err != nil {
		return err
	}
	return nil
}

// ValidateSpec runs Validate's checks on a network read from the spec file
// file, whose fields were read from the lines given by their dotted paths
// (as in SpecError.Field, with "[i]" for list elements): errors then carry
// the file and the line of the offending field. It returns nil or a
// *SpecError.
func (n *Network) ValidateSpec(file string, lines map[string]int) error {
	if err := n.validate(&checker{file: file, lines: lines}); err != nil {
		return err
	}
	return nil
}

// checker runs the semantic checks shared by Validate and Parse. For parsed
// specs it knows the file and the line of every field; for Go-built networks
// it falls back to the objects' Line fields.
type checker struct {
	file string
	// lines maps field paths (as in SpecError.Field, with "[i]" for list
	// elements) to the line they were read from; nil for Go-built networks.
	lines map[string]int
}

// line returns the line recorded for the field at path or, failing that, for
// its closest enclosing field that has one, or else fallback.
func (c *checker) line(path string, fallback int) int {
	for path != "" {
		if l, ok := c.lines[path]; ok {
			return l
		}
		if strings.HasSuffix(path, "]") {
			path = path[:strings.LastIndexByte(path, '[')]
		} else if i := strings.LastIndexByte(path, '.'); i >= 0 {
			path = path[:i]
		} else {
			path = ""
		}
	}
	return fallback
}

// errf returns a *SpecError for field, located at the line of the path at
// (often the same as field, or an element of it).
func (c *checker) errf(at string, fallback int, field, format string, args ...any) *SpecError {
	return &SpecError{File: c.file, Line: c.line(at, fallback), Field: field, Msg: fmt.Sprintf(format, args...)}
}

// validate runs every check in spec order and returns the first failure.
func (n *Network) validate(c *checker) *SpecError {
	if n == nil {
		return &SpecError{File: c.file, Msg: "nil network"}
	}
	if !netNameRE.MatchString(n.Name) {
		return c.errf("name", 0, "name", "%s", badNetName(n.Name))
	}
	if e := c.positive("dt", 0, "dt", n.Dt, Time); e != nil {
		return e
	}
	if n.Precision != "" && n.Precision != PrecisionFloat32 && n.Precision != PrecisionFloat64 {
		return c.errf("precision", 0, "precision", "expected %s or %s, got %q", PrecisionFloat32, PrecisionFloat64, n.Precision)
	}
	if n.Devices < 0 || n.Devices > MaxDevices {
		return c.errf("devices", 0, "devices", "must be between 1 and %d, got %d", MaxDevices, n.Devices)
	}
	if e := c.positive("duration", 0, "duration", n.Duration, Time); e != nil {
		return e
	}
	if n.Duration < n.Dt {
		return c.errf("duration", 0, "duration", "must be at least dt (%s), got %s",
			fmtValue(n.Dt, Time), fmtValue(n.Duration, Time))
	}
	if steps := n.Duration / n.Dt; steps > MaxSteps {
		return c.errf("duration", 0, "duration", "%s at dt %s is %.3g steps, over the limit of %d steps (use a larger dt or a shorter run)",
			fmtValue(n.Duration, Time), fmtValue(n.Dt, Time), steps, MaxSteps)
	}
	if len(n.Populations) == 0 {
		return c.errf("populations", 0, "populations", "at least one population is required")
	}
	pops := make(map[string]*Population, len(n.Populations))
	for i, p := range n.Populations {
		if p == nil {
			return c.errf("populations", 0, fmt.Sprintf("populations[%d]", i), "nil population")
		}
		field := "populations." + p.Name
		if !identRE.MatchString(p.Name) {
			return c.errf(field, p.Line, field, "%s", badIdent("population", p.Name))
		}
		if _, dup := pops[p.Name]; dup {
			return c.errf(field, p.Line, field, "population %q is defined twice", p.Name)
		}
		pops[p.Name] = p
		if e := c.population(p, field); e != nil {
			return e
		}
	}
	projs := make(map[string]bool, len(n.Projections))
	for i, pr := range n.Projections {
		if pr == nil {
			return c.errf("projections", 0, fmt.Sprintf("projections[%d]", i), "nil projection")
		}
		field := "projections." + pr.Name
		if !identRE.MatchString(pr.Name) {
			return c.errf(field, pr.Line, field, "%s", badIdent("projection", pr.Name))
		}
		if projs[pr.Name] {
			return c.errf(field, pr.Line, field, "projection %q is defined twice", pr.Name)
		}
		projs[pr.Name] = true
		if e := c.projection(n, pr, field); e != nil {
			return e
		}
	}
	for _, name := range slices.Sorted(maps.Keys(n.Replicas)) {
		r := n.Replicas[name]
		if pops[name] == nil && !projs[name] {
			return c.errf("replicas", 0, "replicas."+name, "no population or projection is named %q", name)
		}
		if !identRE.MatchString(r.Of) {
			return c.errf("replicas", 0, "replicas."+name, "%s", badIdent("original", r.Of))
		}
	}
	return c.monitors(n)
}

func badNetName(name string) string {
	if name == "" {
		return "must not be empty"
	}
	return fmt.Sprintf("invalid name %q (use letters, digits, '_', '.' and '-', not starting with '.' or '-')", name)
}

func badIdent(what, name string) string {
	if name == "" {
		return fmt.Sprintf("%s name must not be empty", what)
	}
	return fmt.Sprintf("invalid %s name %q (use letters, digits and '_', not starting with a digit)", what, name)
}

// population checks one population; field is "populations.<name>".
func (c *checker) population(p *Population, field string) *SpecError {
	if p.Size <= 0 || p.Size > MaxPopulationSize {
		return c.errf(field+".size", p.Line, field+".size", "must be in [1, %d], got %d", MaxPopulationSize, p.Size)
	}
	m, ok := p.ModelSpec()
	if !ok {
		if p.Model == EquationsModel {
			return c.errf(field+".model", p.Line, field+".model", "model %q needs its equations (Population.Equations)", EquationsModel)
		}
		return c.errf(field+".model", p.Line, field+".model", "%s", MsgUnknownModel(catalog.KindNeuron, p.Model))
	}
	if e := c.params(field+".params", p.Line, m, p.Params, p.Vary); e != nil {
		return e
	}
	for _, name := range sortedKeys(p.Init) {
		at := field + ".init." + name
		st, ok := m.State(name)
		if !ok {
			return c.errf(at, p.Line, field+".init", "%s", MsgUnknownState(m, name))
		}
		if e := c.init(at, p.Line, p.Init[name], st.Dim); e != nil {
			return e
		}
	}
	for _, name := range sortedKeys(p.Vary) {
		at := field + ".params." + name
		ps, ok := m.Param(name)
		if !ok {
			return c.errf(at, p.Line, field+".params", "%s", MsgUnknownParam(m, name))
		}
		if e := c.init(at, p.Line, p.Vary[name], ps.Dim); e != nil {
			return e
		}
	}
	if in := p.Input.PerNeuron; in != nil {
		if p.Input.Kind != "constant" {
			return c.errf(field+".input", p.Line, field+".input", "values per neuron are for constant inputs, got kind %s", p.Input.Kind)
		}
		if e := c.init(field+".input", p.Line, *in, Dimensionless); e != nil {
			return e
		}
	}
	switch {
	case p.Input.Kind == "" && p.Input.Value != 0:
		return c.errf(field+".input", p.Line, field+".input", "input value %g given without a kind (use %q)", p.Input.Value, "constant")
	case p.Input.Kind != "" && !contains(InputKinds, p.Input.Kind):
		return c.errf(field+".input", p.Line, field+".input", "unknown input kind %q (valid: %s)", p.Input.Kind, strings.Join(InputKinds, ", "))
	case !finite(p.Input.Value):
		return c.errf(field+".input", p.Line, field+".input", "must be a finite number, got %g", p.Input.Value)
	}
	switch st := p.Spikes; {
	case p.Model == "SpikeTimes" && st == nil:
		return c.errf(field, p.Line, field, "a SpikeTimes population needs spikes: {times: [...], indices: [...]} or {file: ...}")
	case p.Model != "SpikeTimes" && st != nil:
		return c.errf(field+".spikes", p.Line, field+".spikes", "only SpikeTimes populations take spikes (model is %s)", p.Model)
	case st != nil && st.File == "":
		if len(st.Times) != len(st.Indices) {
			return c.errf(field+".spikes", p.Line, field+".spikes", "times and indices must have the same length, got %d and %d", len(st.Times), len(st.Indices))
		}
		for k, t := range st.Times {
			if !(t >= 0) || !finite(t) {
				at := fmt.Sprintf("%s.spikes.times[%d]", field, k)
				return c.errf(at, p.Line, at, "must be a finite time ≥ 0, got %s", fmtValue(t, Time))
			}
			if i := st.Indices[k]; i < 0 || i >= p.Size {
				at := fmt.Sprintf("%s.spikes.indices[%d]", field, k)
				return c.errf(at, p.Line, at, "neuron %d is outside the population [0, %d)", i, p.Size)
			}
		}
	}
	switch {
	case p.Input.Kind == "ou" && !(p.Input.Tau > 0):
		return c.errf(field+".input.ou.tau", p.Line, field+".input.ou.tau", "must be > 0, got %s", fmtValue(p.Input.Tau, Time))
	case (p.Input.Kind == "ou" || p.Input.Kind == "noise") && !(p.Input.Sigma >= 0):
		at := field + ".input." + p.Input.Kind + ".sigma"
		return c.errf(at, p.Line, at, "must be ≥ 0, got %g", p.Input.Sigma)
	}
	if nz := p.Noise; nz != nil {
		_, ok := m.State(nz.Var)
		switch {
		case !ok:
			return c.errf(field+".noise.var", p.Line, field+".noise.var", "%s", MsgUnknownState(m, nz.Var))
		case !(nz.Sigma >= 0) || !finite(nz.Sigma):
			return c.errf(field+".noise.sigma", p.Line, field+".noise.sigma", "must be a finite number ≥ 0, got %g", nz.Sigma)
		}
	}
	if !contains(integrators, p.Integrator) {
		return c.errf(field+".integrator", p.Line, field+".integrator", "%s", unknownChoiceMsg("integrator", p.Integrator, integrators))
	}
	return nil
}

// init checks one initial-value distribution of a variable of dimension d.
func (c *checker) init(field string, fallback int, in Init, d Dim) *SpecError {
	if !finite(in.A) || !finite(in.B) {
		return c.errf(field, fallback, field, "initial values must be finite")
	}
	switch in.Kind {
	case InitConst:
	case InitNormal:
		if in.B < 0 {
			return c.errf(field, fallback, field, "normal() std must be >= 0, got %s", fmtValue(in.B, d))
		}
	case InitUniform:
		if in.A >= in.B {
			return c.errf(field, fallback, field, "uniform(lo, hi) needs lo < hi, got lo = %s, hi = %s",
				fmtValue(in.A, d), fmtValue(in.B, d))
		}
	case InitLognormal:
		if !(in.A > 0) || in.B < 0 {
			return c.errf(field, fallback, field, "lognormal(mean, std) needs mean > 0 and std ≥ 0, got %s and %s", fmtValue(in.A, d), fmtValue(in.B, d))
		}
	case InitFile:
		if in.File == "" {
			return c.errf(field, fallback, field, "a file value needs the path of an .npy file")
		}
	case InitExpr:
		if in.Expr == nil {
			return c.errf(field, fallback, field, "an expression value needs its expression")
		}
	case InitValues:
		g := in.Given
		if g == nil || len(g.Values) == 0 {
			return c.errf(field, fallback, field, "given values (kind values) need at least one value")
		}
		for i, x := range g.Values {
			if !finite(x) {
				return c.errf(field, fallback, field, "value %d is %g: values must be finite", i, x)
			}
		}
		if (g.Pre != nil || g.Post != nil) && (len(g.Pre) != len(g.Values) || len(g.Post) != len(g.Values)) {
			return c.errf(field, fallback, field, "%d values with %d presynaptic and %d postsynaptic neurons: one of each per value", len(g.Values), len(g.Pre), len(g.Post))
		}
	default:
		return c.errf(field, fallback, field, "unknown value kind %q (valid: const, normal, uniform, lognormal, file, expr, values)", in.Kind)
	}
	if in.Clip && !(in.Lo <= in.Hi && finite(in.Lo) && finite(in.Hi)) {
		return c.errf(field, fallback, field, "clip(value, lo, hi) needs finite lo ≤ hi, got %s and %s", fmtValue(in.Lo, d), fmtValue(in.Hi, d))
	}
	return nil
}

// params checks that params holds exactly the parameters of m, each finite
// and in range; field is the path of the params mapping. A parameter that
// takes one value per neuron (in vary, not a constant) holds a stand-in in
// params: its range, and the order of the pairs it belongs to, are checked
// on every neuron's value once they are drawn or read (package lower names
// the first neuron out of range and its value).
func (c *checker) params(field string, fallback int, m *catalog.ModelSpec, params map[string]float64, vary map[string]Init) *SpecError {
	perNeuron := func(name string) bool { return vary[name].PerNeuron() }
	for _, name := range sortedKeys(params) {
		if _, ok := m.Param(name); !ok {
			return c.errf(field+"."+name, fallback, field, "%s", MsgUnknownParam(m, name))
		}
	}
	for _, ps := range m.Params {
		at := field + "." + ps.Name
		v, ok := params[ps.Name]
		switch {
		case !ok:
			return c.errf(field, fallback, field, "missing parameter %q of %s (FillDefaults fills catalogue defaults)", ps.Name, m.Name)
		case !finite(v):
			return c.errf(at, fallback, at, "must be a finite number, got %g", v)
		case perNeuron(ps.Name):
		case ps.Positive && v <= 0:
			return c.errf(at, fallback, at, "must be > 0, got %s", fmtValue(v, ps.Dim))
		case ps.NonNegative && v < 0:
			return c.errf(at, fallback, at, "must be >= 0, got %s", fmtValue(v, ps.Dim))
		}
	}
	for _, pair := range m.Below {
		a, b := params[pair[0]], params[pair[1]]
		if !(a < b) && !perNeuron(pair[0]) && !perNeuron(pair[1]) {
			at := field + "." + pair[0]
			d := Voltage
			if ps, ok := m.Param(pair[0]); ok {
				d = ps.Dim
			}
			return c.errf(at, fallback, at, "must be below %s (%s), got %s", pair[1], fmtValue(b, d), fmtValue(a, d))
		}
	}
	return nil
}

// projection checks one projection; field is "projections.<name>".
func (c *checker) projection(n *Network, pr *Projection, field string) *SpecError {
	if n.Population(pr.Post) == nil {
		return c.errf(field+".post", pr.Line, field+".post", "%s", unknownPopMsg(n, pr.Post))
	}
	if pr.Poisson != nil {
		return c.poissonInput(pr, field)
	}
	pre := n.Population(pr.Pre)
	if pre == nil {
		return c.errf(field+".pre", pr.Line, field+".pre", "%s", unknownPopMsg(n, pr.Pre))
	}
	if e := c.conn(n, pr, pre, field); e != nil {
		return e
	}
	if e := c.spikes(n, pr, pre, field); e != nil {
		return e
	}
	if pr.Synapse.Model == "GapJunction" {
		switch {
		case pr.Pre != pr.Post:
			return c.errf(field+".post", pr.Line, field+".post", "gap junctions couple neurons of one population: post must equal pre (%s)", pr.Pre)
		case pr.Output.Model != "CUBA":
			return c.errf(field+".output", pr.Line, field+".output", "a GapJunction carries its own current weight·(V_j − V_i): use output CUBA")
		case pr.STP != nil || pr.Plastic() || pr.Delay != (Init{}) && pr.Delay != (Init{Kind: InitConst}):
			return c.errf(field+".synapse", pr.Line, field+".synapse", "gap junctions take no plasticity and no delay")
		}
	}
	if post, o := n.Population(pr.Post), pr.Output.Output; post != nil && o != nil && post.Equations != nil && post.Equations.UsesInput && o.Dim != post.Equations.InputDim {
		return c.errf(field+".output", pr.Line, field+".output", "dimensions disagree: the current %s is %s, but %s's input I is %s", o.Current, o.Dim, post.Name, post.Equations.InputDim)
	}
	if pr.Output.Model == "Delta" {
		if pr.Synapse.Model != "Delta" {
			return c.errf(field+".output", pr.Line, field+".output", "output Delta adds each arriving weight to V at once: use it with synapse Delta (got %s)", pr.Synapse.Model)
		}
		if post := n.Population(pr.Post); post != nil {
			if m, ok := post.ModelSpec(); ok && !hasPotential(m) {
				return c.errf(field+".output", pr.Line, field+".output", "output Delta needs a membrane potential (a voltage state), which %s (%s) lacks", post.Name, post.Model)
			}
		}
	}
	if w := pr.WeightDist; w != nil {
		switch {
		case w.Kind != InitNormal && w.Kind != InitUniform && w.Kind != InitLognormal && w.Kind != InitValues:
			return c.errf(field+".weight", pr.Line, field+".weight", "per-synapse weights are drawn from normal, uniform or lognormal (optionally clipped) or given (values), got %s", w.Kind)
		case pr.Kernel == "procedural":
			return c.errf(field+".weight", pr.Line, field+".weight", "the procedural kernel regenerates synapses with one weight: per-synapse weights need kernel event or dense (or auto)")
		case pr.Conn.Rule == ConnFromFile && w.Kind != InitValues:
			return c.errf(field+".weight", pr.Line, field+".weight", "a conn file's synapses take their weights from the file's weight array, not from a distribution")
		case pr.Synapse.Model == "GapJunction":
			return c.errf(field+".weight", pr.Line, field+".weight", "gap junctions take one weight")
		}
		if e := c.init(field+".weight", pr.Line, *w, Dimensionless); e != nil {
			return e
		}
	}
	if e := c.plasticity(n, pr, field); e != nil {
		return e
	}
	if e := c.delay(pr, field); e != nil {
		return e
	}
	return c.transmission(pr, field)
}

// spikes refuses what a projection cannot carry because a population it
// joins emits no spikes (a rate model, an equation model without a
// threshold): a synapse driven by presynaptic spikes out of it, which
// would transmit nothing, and a plasticity rule that learns from the
// spikes of either side. Gap junctions read the potential, not spikes.
func (c *checker) spikes(n *Network, pr *Projection, pre *Population, field string) *SpecError {
	silent := func(p *Population) string {
		if p == nil {
			return ""
		}
		if m, ok := p.ModelSpec(); ok && m.NoSpikes {
			if p.Model == EquationsModel {
				return fmt.Sprintf("population %s (a model given by equations without a threshold) emits no spikes", p.Name)
			}
			return fmt.Sprintf("population %s (%s, a rate model) emits no spikes", p.Name, p.Model)
		}
		return ""
	}
	if pr.Synapse.Model == "GapJunction" {
		return nil
	}
	if why := silent(pre); why != "" {
		return c.rateCoupling(n, pr, pre, why, field)
	}
	if pr.Carries != "" && pre != nil {
		return c.errf(field+".carries", pr.Line, field+".carries", "population %s spikes: a projection out of it carries its spikes; carries names the variable a rate population sends", pre.Name)
	}
	if k := pr.Coupling.Kind; k != "" && k != CouplingLinear {
		return c.errf(field+".coupling", pr.Line, field+".coupling", "a coupling function shapes what a rate population sends; %s carries spikes", pr.Pre)
	}
	if why := silent(n.Population(pr.Post)); why != "" && (pr.STDP != nil || pr.Plasticity != nil && len(pr.Plasticity.OnPost) > 0) {
		at := field + "." + plasticName(pr)
		return c.errf(at, pr.Line, at, "%s, and %s learns from postsynaptic spikes: it would never see one", why, plasticName(pr))
	}
	return nil
}

// DefaultCarries is what a projection out of pre carries when the spec
// names nothing: a rate model's own variable (catalog.ModelSpec.Sends),
// "" for a spiking population (its spikes), a model given by equations or
// none.
func DefaultCarries(pre *Population) string {
	if pre == nil {
		return ""
	}
	if m, ok := pre.ModelSpec(); ok && m.NoSpikes {
		return m.Sends
	}
	return ""
}

// rateCoupling checks a projection out of a population that emits no
// spikes (why says which): it carries a state variable of it each step
// (Carries, a float state of the model) through a synapse that filters its
// input linearly (not a receptor driven by presynaptic spikes, nor a
// synapse given by equations), with no short-term plasticity or learning
// rule (both act on spikes), on the dense or all_to_all kernel.
func (c *checker) rateCoupling(n *Network, pr *Projection, pre *Population, why, field string) *SpecError {
	refuse := func(at, format string, a ...any) *SpecError {
		return c.errf(at, pr.Line, at, "%s: a projection out of it carries a value each step (rate coupling), and "+format, append([]any{why}, a...)...)
	}
	m, _ := pre.ModelSpec()
	var states []string
	for _, st := range m.States {
		states = append(states, st.Name)
	}
	switch {
	case pr.Carries == "":
		return refuse(field+".carries", "it names none: set carries to one of its variables (%s)", strings.Join(states, ", "))
	case !slices.Contains(states, pr.Carries):
		return refuse(field+".carries", "%s has no variable %q (variables: %s)", pre.Name, pr.Carries, strings.Join(states, ", "))
	case pr.Synapse.Model == EquationsModel:
		return refuse(field+".synapse", "a synapse given by equations is driven by presynaptic spikes (on_pre); use Delta (the value itself), Expon, DualExpon or Alpha")
	case pr.STP != nil:
		return refuse(field+".stp", "short-term plasticity acts on spikes")
	case pr.Plastic():
		return refuse(field+"."+plasticName(pr), "%s learns from presynaptic spikes", plasticName(pr))
	case pr.Kernel == "event" || pr.Kernel == "procedural":
		return refuse(field+".kernel", "kernel %s propagates the sources that fired; every source sends each step: use dense or all_to_all (auto)", pr.Kernel)
	}
	if sm, ok := pr.Synapse.ModelSpec(catalog.KindSynapse); ok && sm.PerPre {
		return refuse(field+".synapse", "synapse %s is a receptor gated by presynaptic spikes; use Delta (the value itself), Expon, DualExpon or Alpha", pr.Synapse.Model)
	}
	at := field + ".coupling"
	switch cp := pr.Coupling; cp.Kind {
	case "", CouplingLinear:
	case CouplingSigmoid:
		for _, v := range []struct {
			name string
			x    float64
		}{{"max", cp.Max}, {"midpoint", cp.Midpoint}, {"slope", cp.Slope}} {
			if math.IsNaN(v.x) || math.IsInf(v.x, 0) {
				return c.errf(at+".sigmoid."+v.name, pr.Line, at+".sigmoid."+v.name, "must be a finite number, got %g", v.x)
			}
		}
	case CouplingDifference:
		if post := n.Population(pr.Post); post != nil {
			m, ok := post.ModelSpec()
			if !ok {
				break
			}
			if _, has := m.State(pr.Carries); !has {
				return c.errf(at, pr.Line, at, "difference coupling subtracts the target's own %s, and population %s (%s) has no variable %s", pr.Carries, post.Name, post.Model, pr.Carries)
			}
		}
		if pr.Kernel == "all_to_all" {
			return c.errf(at, pr.Line, at, "difference coupling needs each target's summed weight: kernel dense or auto, not all_to_all")
		}
	default:
		return c.errf(at, pr.Line, at, "unknown coupling %q (valid: %s, %s, %s)", cp.Kind, CouplingLinear, CouplingSigmoid, CouplingDifference)
	}
	return nil
}

// plasticName is the key of a projection's plasticity rule.
func plasticName(pr *Projection) string {
	if pr.STDP != nil {
		return "stdp"
	}
	return "plasticity"
}

// conn checks a projection's connectivity rule against its populations.
func (c *checker) conn(n *Network, pr *Projection, pre *Population, field string) *SpecError {
	conn := field + ".conn"
	switch pr.Conn.Rule {
	case ConnFixedProb:
		at := conn + "." + string(ConnFixedProb)
		if !(pr.Conn.Prob >= 0 && pr.Conn.Prob <= 1) {
			return c.errf(at, pr.Line, at, "probability must be in [0, 1], got %g", pr.Conn.Prob)
		}
	case ConnFixedInDegree, ConnFixedOutDegree:
		// In-degree is bounded by the pre population, out-degree by the post one.
		at, what, side := conn+"."+string(pr.Conn.Rule), "in-degree", "pre"
		other := pre
		if pr.Conn.Rule == ConnFixedOutDegree {
			what, side, other = "out-degree", "post", n.Population(pr.Post)
		}
		limit, why := other.Size, fmt.Sprintf("the size of %s population %s", side, other.Name)
		if pr.Pre == pr.Post && !pr.Conn.AllowSelf {
			limit, why = other.Size-1, fmt.Sprintf("the size of population %s minus 1, as allow_self is false", other.Name)
		}
		switch {
		case pr.Conn.Num <= 0:
			return c.errf(at, pr.Line, at, "%s must be > 0, got %d", what, pr.Conn.Num)
		case pr.Conn.Num > limit:
			return c.errf(at, pr.Line, at, "%s %d is more than %d (%s)", what, pr.Conn.Num, limit, why)
		}
	case ConnOneToOne:
		if post := n.Population(pr.Post); post.Size != pre.Size {
			at := conn + "." + string(ConnOneToOne)
			return c.errf(at, pr.Line, at, "needs populations of the same size, got %s %d and %s %d", pre.Name, pre.Size, post.Name, post.Size)
		}
	case ConnAllToAll:
	case ConnGaussian:
		at := conn + "." + string(ConnGaussian)
		switch {
		case !(pr.Conn.Sigma > 0):
			return c.errf(at+".sigma", pr.Line, at+".sigma", "must be > 0, got %g", pr.Conn.Sigma)
		case !(pr.Conn.PMax > 0 && pr.Conn.PMax <= 1):
			return c.errf(at+".p_max", pr.Line, at+".p_max", "must be in (0, 1], got %g", pr.Conn.PMax)
		}
	case ConnFromFile:
		if pr.Conn.File == "" {
			at := conn + "." + string(ConnFromFile)
			return c.errf(at, pr.Line, at, "expected the path of an .npz with arrays pre and post")
		}
	case ConnConnectome:
		at := conn + "." + string(ConnConnectome)
		switch {
		case pr.Conn.File == "":
			return c.errf(at+".file", pr.Line, at+".file", "expected the path of a connectivity zip (weights.txt, tract_lengths.txt) or an .npz (weights, tract_lengths)")
		case !(pr.Conn.Speed >= 0) || math.IsInf(pr.Conn.Speed, 0):
			return c.errf(at+".speed", pr.Line, at+".speed", "must be a finite speed ≥ 0 (e.g. 3 mm/ms), got %g mm/ms", pr.Conn.Speed)
		case pr.Conn.Speed > 0 && pr.Delay.Kind != "" && !(pr.Delay.Kind == InitConst && pr.Delay.A == 0):
			return c.errf(field+".delay", pr.Line, field+".delay", "the connectome's tract lengths and speed give each synapse its delay: leave delay out")
		}
	default:
		return c.errf(conn, pr.Line, conn, "unknown connectivity rule %q (valid: %s, %s, %s, %s, %s, %s, %s, %s)", pr.Conn.Rule,
			ConnFixedProb, ConnFixedInDegree, ConnFixedOutDegree, ConnOneToOne, ConnAllToAll, ConnFromFile, ConnGaussian, ConnConnectome)
	}
	if pr.Kernel == "procedural" && !(pr.Conn.Rule == ConnFixedProb && pr.Conn.Prob > 0 && pr.Conn.Prob < 1) {
		return c.errf(field+".kernel", pr.Line, field+".kernel",
			"procedural connectivity regenerates fixed_prob rows: it needs conn fixed_prob with 0 < p < 1")
	}
	return nil
}

// plasticity checks a projection's short-term and spike-timing-dependent
// plasticity parameters.
func (c *checker) plasticity(n *Network, pr *Projection, field string) *SpecError {
	if s := pr.STP; s != nil {
		at := field + ".stp"
		switch {
		case !(s.U > 0 && s.U <= 1):
			return c.errf(at+".U", pr.Line, at+".U", "must be in (0, 1], got %g", s.U)
		case !(s.TauF > 0):
			return c.errf(at+".tau_f", pr.Line, at+".tau_f", "must be > 0, got %g ms", s.TauF)
		case !(s.TauD > 0):
			return c.errf(at+".tau_d", pr.Line, at+".tau_d", "must be > 0, got %g ms", s.TauD)
		case s.Form != "" && s.Form != STPFormBrian2 && s.Form != STPFormTPM98:
			return c.errf(at+".form", pr.Line, at+".form", "expected %q (u relaxes to U) or %q (u relaxes to 0), got %q",
				STPFormBrian2, STPFormTPM98, s.Form)
		}
	}
	if pr.Plasticity != nil && (pr.STDP != nil || pr.STP != nil) {
		return c.errf(field+".plasticity", pr.Line, field+".plasticity", "a projection takes one of stp, stdp and plasticity")
	}
	if e := c.modulators(n, pr, field+".plasticity.modulators"); e != nil {
		return e
	}
	if s := pr.STDP; s != nil {
		at := field + ".stdp"
		switch {
		case pr.STP != nil:
			return c.errf(at, pr.Line, at, "a projection takes stp or stdp, not both")
		case !(s.TauPlus > 0):
			return c.errf(at+".tau_plus", pr.Line, at+".tau_plus", "must be > 0, got %g ms", s.TauPlus)
		case !(s.TauMinus > 0):
			return c.errf(at+".tau_minus", pr.Line, at+".tau_minus", "must be > 0, got %g ms", s.TauMinus)
		case !(s.APlus >= 0) || !finite(s.APlus):
			return c.errf(at+".A_plus", pr.Line, at+".A_plus", "must be a finite number ≥ 0, got %g", s.APlus)
		case !(s.AMinus >= 0) || !finite(s.AMinus):
			return c.errf(at+".A_minus", pr.Line, at+".A_minus", "must be a finite number ≥ 0, got %g", s.AMinus)
		case !(s.WMin <= s.WMax) || !finite(s.WMin) || !finite(s.WMax):
			return c.errf(at+".w_max", pr.Line, at+".w_max", "must be finite and ≥ w_min (%g), got %g", s.WMin, s.WMax)
		case pr.WeightDist == nil && pr.Conn.Rule != ConnFromFile && !(pr.Weight >= s.WMin && pr.Weight <= s.WMax):
			// Drawn weights and a file's are checked synapse by synapse
			// once drawn or read (package lower).
			return c.errf(field+".weight", pr.Line, field+".weight", "must lie in the stdp bounds [%g, %g], got %g", s.WMin, s.WMax, pr.Weight)
		}
	}
	return nil
}

// modulators checks that a plasticity rule's modulators are bound, each
// once, to a state variable of a population of the network, of the
// dimension the rule declares (a catalogue model's variable is read as its
// number, so the rule declares it dimensionless).
func (c *checker) modulators(n *Network, pr *Projection, field string) *SpecError {
	var want []string
	var dims map[string]eqs.Dim
	if r := pr.Plasticity; r != nil {
		want, dims = r.Modulators, r.ModulatorDims
	}
	seen := map[string]bool{}
	for _, md := range pr.Modulators {
		at := field + "." + md.Name
		line := max(md.Line, pr.Line)
		if !slices.Contains(want, md.Name) {
			if len(want) == 0 {
				return c.errf(at, line, at, "the projection's plasticity rule reads no modulator")
			}
			return c.errf(at, line, at, "the plasticity rule reads no modulator %q (its modulators: %s)", md.Name, strings.Join(want, ", "))
		}
		if seen[md.Name] {
			return c.errf(at, line, at, "modulator %s is bound twice", md.Name)
		}
		seen[md.Name] = true
		src := n.Population(md.Pop)
		if src == nil {
			return c.errf(at, line, at, "unknown population %q", md.Pop)
		}
		if src.Equations != nil {
			var names []string
			for _, eq := range src.Equations.States {
				names = append(names, eq.Var)
				if eq.Var == md.Var && eq.Dim != dims[md.Name] {
					return c.errf(at, line, at, "%s.%s is %s, but the rule declares %s as %s", md.Pop, md.Var, eq.Dim, md.Name, dims[md.Name])
				}
			}
			if !slices.Contains(names, md.Var) {
				return c.errf(at, line, at, "population %s has no state variable %q (its variables: %s)", md.Pop, md.Var, strings.Join(names, ", "))
			}
			continue
		}
		m, ok := src.ModelSpec()
		if !ok {
			return c.errf(at, line, at, "population %s has no state variables", md.Pop)
		}
		if _, ok := m.State(md.Var); !ok {
			var names []string
			for _, st := range m.States {
				names = append(names, st.Name)
			}
			return c.errf(at, line, at, "population %s (%s) has no state variable %q (its variables: %s)", md.Pop, src.Model, md.Var, strings.Join(names, ", "))
		}
		if d := dims[md.Name]; d != eqs.Dimensionless {
			return c.errf(at, line, at, "%s.%s of a catalogue model is read as a number in the model's unit: declare %s dimensionless (%s : 1), not %s", md.Pop, md.Var, md.Name, md.Name, d)
		}
	}
	for _, name := range want {
		if !seen[name] {
			return c.errf(field, pr.Line, field, "the plasticity rule reads the modulator %s: bind it to a population's variable (modulators: {%s: Pop.var})", name, name)
		}
	}
	return nil
}

// delay checks a projection's transmission delay.
func (c *checker) delay(pr *Projection, field string) *SpecError {
	at, d := field+".delay", pr.Delay
	if d.Clip {
		return c.errf(at, pr.Line, at, "delays take no clip (normal delays are clipped at 0)")
	}
	switch d.Kind {
	case "", InitConst:
		if !(d.A >= 0) || !finite(d.A) {
			return c.errf(at, pr.Line, at, "must be a finite time ≥ 0, got %s", fmtValue(d.A, Time))
		}
	case InitUniform:
		if !(d.A >= 0 && d.B >= d.A) || !finite(d.B) {
			return c.errf(at, pr.Line, at, "uniform(lo, hi) needs 0 ≤ lo ≤ hi, got lo %s and hi %s", fmtValue(d.A, Time), fmtValue(d.B, Time))
		}
	case InitNormal:
		if !(d.A >= 0 && d.B >= 0) || !finite(d.A) || !finite(d.B) {
			return c.errf(at, pr.Line, at, "normal(mean, sd) needs mean ≥ 0 and sd ≥ 0, got %s and %s", fmtValue(d.A, Time), fmtValue(d.B, Time))
		}
	default:
		return c.errf(at, pr.Line, at, "unknown delay distribution %q", d.Kind)
	}
	return nil
}

// poissonInput checks a Poisson-input projection, which has no presynaptic
// population, connectivity, plasticity or delay.
func (c *checker) poissonInput(pr *Projection, field string) *SpecError {
	at, in := field+".poisson", pr.Poisson
	switch {
	case pr.Pre != "":
		return c.errf(field+".pre", pr.Line, field+".pre", "a projection takes pre or poisson, not both")
	case pr.Conn.Rule != "":
		return c.errf(field+".conn", pr.Line, field+".conn", "a poisson input has no connectivity: each neuron gets its own trains")
	case pr.STP != nil || pr.Plastic():
		return c.errf(at, pr.Line, at, "a poisson input takes no plasticity")
	case pr.Delay != (Init{}) && pr.Delay != (Init{Kind: InitConst}):
		return c.errf(field+".delay", pr.Line, field+".delay", "a poisson input takes no delay")
	case in.Num <= 0:
		return c.errf(at+".num", pr.Line, at+".num", "must be > 0, got %d", in.Num)
	case !(in.Rate >= 0) || !finite(in.Rate):
		return c.errf(at+".rate", pr.Line, at+".rate", "must be a finite rate ≥ 0, got %s", fmtValue(in.Rate, Rate))
	case !(in.Start >= 0) || !finite(in.Start):
		return c.errf(at+".start", pr.Line, at+".start", "must be a finite time ≥ 0, got %s", fmtValue(in.Start, Time))
	case in.Stop != 0 && !(in.Stop > in.Start) || !finite(in.Stop):
		return c.errf(at+".stop", pr.Line, at+".stop", "must be after start (%s), got %s", fmtValue(in.Start, Time), fmtValue(in.Stop, Time))
	}
	return c.transmission(pr, field)
}

// transmission checks a projection's weight, synapse, output and kernel.
func (c *checker) transmission(pr *Projection, field string) *SpecError {
	if !finite(pr.Weight) || math.Abs(pr.Weight) > MaxWeight {
		return c.errf(field+".weight", pr.Line, field+".weight", "must be a finite number of magnitude ≤ %g, got %g", MaxWeight, pr.Weight)
	}
	for _, comp := range []struct {
		key  string
		kind catalog.ModelKind
		c    Component
	}{{"synapse", catalog.KindSynapse, pr.Synapse}, {"output", catalog.KindOutput, pr.Output}} {
		at := field + "." + comp.key
		m, ok := comp.c.ModelSpec(comp.kind)
		if !ok {
			return c.errf(at, pr.Line, at, "%s", MsgUnknownModel(comp.kind, comp.c.Model))
		}
		if e := c.params(at+"."+m.Name, pr.Line, m, comp.c.Params, nil); e != nil {
			return e
		}
	}
	if !contains(kernels, pr.Kernel) {
		return c.errf(field+".kernel", pr.Line, field+".kernel", "%s", unknownChoiceMsg("kernel", pr.Kernel, kernels))
	}
	return nil
}

// monitors checks the recorded populations, variables and neurons.
func (c *checker) monitors(n *Network) *SpecError {
	pops := make(map[string]*Population, len(n.Populations)) // one lookup per monitor, not a scan
	for _, p := range n.Populations {
		pops[p.Name] = p
	}
	seen := map[string]bool{}
	for i, name := range n.Monitors.Spikes {
		at := fmt.Sprintf("monitors.spikes[%d]", i)
		if pops[name] == nil {
			return c.errf(at, 0, "monitors.spikes", "%s", unknownPopMsg(n, name))
		}
		if seen[name] {
			return c.errf(at, 0, "monitors.spikes", "population %s is listed twice", name)
		}
		seen[name] = true
	}
	for _, name := range slices.Sorted(maps.Keys(n.Monitors.Rates)) {
		field := "monitors.rates." + name
		if pops[name] == nil {
			return c.errf(field, 0, field, "%s", unknownPopMsg(n, name))
		}
		if !seen[name] {
			return c.errf(field, 0, field, "the rate of %s is computed from its spikes: record them (monitors.spikes)", name)
		}
		if bin := n.Monitors.Rates[name]; !(bin >= n.Dt && bin <= n.Duration) {
			return c.errf(field, 0, field, "bin must be in [dt, duration] = [%g ms, %g ms], got %g ms", n.Dt, n.Duration, bin)
		}
	}
	if e := c.recordingTimes(n); e != nil {
		return e
	}
	for _, name := range slices.Sorted(maps.Keys(n.Monitors.SpikeNeurons)) {
		field := "monitors.spikes." + name
		p := pops[name]
		if p == nil || !seen[name] {
			return c.errf(field, 0, field, "neurons are given for %s, whose spikes are not recorded", name)
		}
		idx := n.Monitors.SpikeNeurons[name]
		if len(idx) == 0 {
			return c.errf(field, 0, field, "no neuron indices given")
		}
		for k, i := range idx {
			at := fmt.Sprintf("%s[%d]", field, k)
			if i < 0 || i >= p.Size {
				return c.errf(at, 0, field, "neuron index %d out of range (population %s has %d neurons: 0..%d)", i, p.Name, p.Size, p.Size-1)
			}
			if k > 0 && i <= idx[k-1] {
				return c.errf(at, 0, field, "neuron indices must increase, without repeats: %d after %d", i, idx[k-1])
			}
		}
	}
	seenTrace := map[string]bool{}
	for _, t := range n.Monitors.Traces {
		key := t.Pop + "." + t.Var
		field := "monitors.traces." + key
		// size bounds the indices (-1: checked when lowered); what names them.
		size, what, msg := n.traceTarget(pops, t.Pop, t.Var)
		if msg != "" {
			return c.errf(field, 0, field, "%s", msg)
		}
		if seenTrace[key] {
			return c.errf(field, 0, field, "%s is traced twice", key)
		}
		seenTrace[key] = true
		if len(t.Indices) == 0 {
			return c.errf(field, 0, field, "no neuron indices given")
		}
		seenIdx := make(map[int]bool, len(t.Indices))
		for k, idx := range t.Indices {
			at := fmt.Sprintf("%s[%d]", field, k)
			if idx < 0 || size >= 0 && idx >= size {
				return c.errf(at, 0, field, "neuron index %d out of range (%s has %d neurons: 0..%d)", idx, what, size, size-1)
			}
			if seenIdx[idx] {
				return c.errf(at, 0, field, "neuron index %d is listed twice", idx)
			}
			seenIdx[idx] = true
		}
	}
	for k, name := range n.Monitors.FC {
		at := fmt.Sprintf("monitors.fc[%d]", k)
		t := slices.IndexFunc(n.Monitors.Traces, func(t Trace) bool { return t.Pop+"."+t.Var == name })
		switch {
		case t < 0:
			return c.errf(at, 0, "monitors.fc", "%q is not a traced variable: functional connectivity correlates the entries of a trace (monitors.traces)", name)
		case len(n.Monitors.Traces[t].Indices) < 2:
			return c.errf(at, 0, "monitors.fc", "the trace %s has one entry: functional connectivity needs two or more", name)
		case slices.Index(n.Monitors.FC, name) != k:
			return c.errf(at, 0, "monitors.fc", "%s is listed twice", name)
		}
	}
	return nil
}

// TraceSize is the number of entries a trace of pop.v indexes (neurons, or
// synapses), -1 when it is known only once the network is lowered (STDP
// weights); an unknown population, projection or variable is an error.
func (n *Network) TraceSize(pop, v string) (int, error) {
	pops := map[string]*Population{}
	for _, p := range n.Populations {
		if p != nil {
			pops[p.Name] = p
		}
	}
	size, _, msg := n.traceTarget(pops, pop, v)
	if msg != "" {
		return 0, fmt.Errorf("%s", msg)
	}
	return size, nil
}

// traceTarget checks what a trace of pop.v records and returns its size
// (-1: known when lowered) and what its indices count, or a message.
func (n *Network) traceTarget(pops map[string]*Population, pop, v string) (size int, what, msg string) {
	p, pr := pops[pop], n.Projection(pop)
	switch {
	case p != nil && pr != nil:
		return 0, "", fmt.Sprintf("%s names both a population and a projection; rename one to trace it", pop)
	case p != nil:
		if m, ok := p.ModelSpec(); ok && !(v == OUTrace && p.Input.Kind == "ou") && !(v == SynCurrentTrace && n.synapsesOnto(p.Name)) {
			if _, ok := m.State(v); !ok {
				switch {
				case v == SynCurrentTrace:
					return 0, "", fmt.Sprintf("%s is the summed synaptic current into a population, and no projection targets %s", SynCurrentTrace, p.Name)
				case v == OUTrace:
					return 0, "", fmt.Sprintf("%s is an Ornstein–Uhlenbeck input's current, and %s's input is not one (input: {ou: …})", OUTrace, p.Name)
				}
				if _, isParam := m.Param(v); isParam {
					return 0, "", fmt.Sprintf("%s is a parameter of %s, not a state variable: it does not change during a run (its values: params; per neuron: Sim.Param, or brainc run --save-network)", v, m.Name)
				}
				return 0, "", MsgUnknownState(m, v)
			}
		}
		return p.Size, "population " + p.Name, ""
	case pr != nil:
		return projectionTrace(n, pr, v)
	}
	return 0, "", unknownPopMsg(n, pop)
}

// recordingTimes checks the traces' interval (a whole number of steps
// within the run) and the recording window.
func (c *checker) recordingTimes(n *Network) *SpecError {
	m := n.Monitors
	if m.Every != 0 {
		k := m.Every / n.Dt
		if !finite(m.Every) || m.Every < n.Dt || m.Every > n.Duration || math.Abs(k-math.Round(k)) > 1e-6*k {
			return c.errf("monitors.every", 0, "monitors.every", "must be a whole number of steps (dt = %g ms) in [dt, duration] = [%g ms, %g ms], got %g ms", n.Dt, n.Dt, n.Duration, m.Every)
		}
	}
	for _, w := range []struct {
		field       string
		start, stop float64
	}{{"monitors.window", m.Start, m.Stop}, {"monitors.traces_window", m.TraceStart, m.TraceStop}} {
		if w.start == 0 && w.stop == 0 {
			continue
		}
		if !finite(w.start) || !finite(w.stop) || w.start < 0 || w.stop < 0 {
			return c.errf(w.field, 0, w.field, "start and stop must be finite times ≥ 0, got [%g ms, %g ms]", w.start, w.stop)
		}
		if w.stop != 0 && w.stop <= w.start {
			return c.errf(w.field, 0, w.field, "stop must be after start, got [%g ms, %g ms]", w.start, w.stop)
		}
		if w.start >= n.Duration {
			return c.errf(w.field, 0, w.field, "starts at %g ms, at or after the end of the run (duration %g ms): nothing would be recorded", w.start, n.Duration)
		}
	}
	return nil
}

// hasPotential reports whether a neuron model has a state of voltage
// dimension.
func hasPotential(m *catalog.ModelSpec) bool {
	for _, st := range m.States {
		if st.Dim == catalog.Voltage {
			return true
		}
	}
	return false
}

// synapsesOnto reports whether a projection other than a gap junction
// ends on the population.
func (n *Network) synapsesOnto(pop string) bool {
	for _, pr := range n.Projections {
		if pr != nil && pr.Post == pop && pr.Synapse.Model != "GapJunction" {
			return true
		}
	}
	return false
}

// projectionTrace checks a trace of a projection's variable: its synapse
// model's states (per postsynaptic neuron, or per presynaptic neuron for
// kinetic synapses), STP's u and x (per presynaptic neuron), STDP's w (per
// synapse, bounded when lowered: size -1) and x_pre, x_post. It returns the
// index bound and what it counts, or a message.
func projectionTrace(n *Network, pr *Projection, v string) (size int, what, msg string) {
	pre, post := n.Population(pr.Pre), n.Population(pr.Post)
	side := func(p *Population) (int, string, string) {
		if p == nil { // a Poisson input has no presynaptic population
			return 0, "", fmt.Sprintf("projection %s has no presynaptic population", pr.Name)
		}
		return p.Size, "population " + p.Name, ""
	}
	m, _ := pr.Synapse.ModelSpec(catalog.KindSynapse)
	var valid []string
	if m != nil {
		for _, st := range m.States {
			valid = append(valid, st.Name)
		}
		if _, ok := m.State(v); ok {
			if m.PerPre {
				return side(pre)
			}
			return side(post)
		}
	}
	if pr.Synapse.Model != "GapJunction" {
		valid = append(valid, CurrentTrace)
		if v == CurrentTrace {
			return side(post)
		}
	}
	if pr.STP != nil {
		valid = append(valid, "u", "x")
		if v == "u" || v == "x" {
			return side(pre)
		}
	}
	if pr.STDP != nil {
		valid = append(valid, "w", "x_pre", "x_post")
		switch v {
		case "w":
			return -1, "projection " + pr.Name, ""
		case "x_pre":
			return side(pre)
		case "x_post":
			return side(post)
		}
	}
	if r := pr.Plasticity; r != nil {
		valid = append(valid, "w")
		if v == "w" {
			return -1, "projection " + pr.Name, ""
		}
		for _, eq := range r.Pre {
			valid = append(valid, eq.Var)
			if v == eq.Var {
				return side(pre)
			}
		}
		for _, eq := range r.Post {
			valid = append(valid, eq.Var)
			if v == eq.Var {
				return side(post)
			}
		}
		for _, name := range r.SynapticNames() {
			valid = append(valid, name)
			if v == name {
				return -1, "projection " + pr.Name, ""
			}
		}
	}
	return 0, "", fmt.Sprintf("projection %s has no traceable variable %q (valid: %s)", pr.Name, v, strings.Join(valid, ", "))
}

// positive checks that v is a finite number > 0.
func (c *checker) positive(at string, fallback int, field string, v float64, d Dim) *SpecError {
	if !finite(v) || v <= 0 {
		return c.errf(at, fallback, field, "must be > 0, got %s", fmtValue(v, d))
	}
	return nil
}

// Messages shared by the spec reader (package spec) and Validate.

// MsgUnknownModel says that name is not a model of kind, listing those that are.
func MsgUnknownModel(kind catalog.ModelKind, name string) string {
	return fmt.Sprintf("unknown %s model %q (known: %s)", kind, name, catalog.ModelNames(kind))
}

// MsgUnknownParam says that name is not a parameter of m, listing those that are.
func MsgUnknownParam(m *catalog.ModelSpec, name string) string {
	if len(m.Params) == 0 {
		return fmt.Sprintf("unknown parameter %q: %s has no parameters", name, m.Name)
	}
	return fmt.Sprintf("unknown parameter %q of %s (valid: %s)", name, m.Name, m.ParamNames())
}

// MsgUnknownState says that name is not a state variable of m, listing those that are.
func MsgUnknownState(m *catalog.ModelSpec, name string) string {
	if len(m.States) == 0 {
		return fmt.Sprintf("unknown state variable %q: %s has no state variables", name, m.Name)
	}
	return fmt.Sprintf("unknown state variable %q of %s (valid: %s)", name, m.Name, m.StateNames())
}

func unknownPopMsg(n *Network, name string) string {
	names := make([]string, 0, len(n.Populations))
	for _, p := range n.Populations {
		if p != nil {
			names = append(names, p.Name)
		}
	}
	return fmt.Sprintf("unknown population %q (populations: %s)", name, strings.Join(names, ", "))
}

func unknownChoiceMsg(what, got string, valid []string) string {
	return fmt.Sprintf("unknown %s %q (valid: %s)", what, got, strings.Join(valid, ", "))
}

// fmtValue writes v with the base unit of d, e.g. "-5 ms".
func fmtValue(v float64, d Dim) string {
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if u := d.BaseUnit(); u != "" {
		return s + " " + u
	}
	return s
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
