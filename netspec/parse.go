// Package netspec reads brainc's network spec language (YAML or JSON) into an
// ir.Network: every field is read with the line it came from, so that every
// error, of form or of range, names the file, the line and the field.
package netspec

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/brainc/brainc/catalog"
	"github.com/brainc/brainc/eqs"
	"github.com/brainc/brainc/infile"
	"github.com/brainc/brainc/ir"
)

// Valid keys of each mapping of the spec language, in documentation order.
var (
	// topKeys are a network spec's top-level keys; train and data (the
	// training a spec may hold, read by brainc train: learn.ParseSpec)
	// are not read here.
	topKeys        = []string{"name", "dt", "duration", "seed", "precision", "devices", "populations", "projections", "monitors", "train", "data"}
	populationKeys = []string{"size", "model", "params", "init", "input", "integrator", "noise", "spikes"}
	projectionKeys = []string{"pre", "poisson", "post", "conn", "weight", "synapse", "output", "kernel", "carries", "coupling", "init",
		"delay", "stp", "stdp", "plasticity"}
	connKeys = []string{string(ir.ConnFixedProb), string(ir.ConnFixedInDegree), string(ir.ConnFixedOutDegree),
		string(ir.ConnOneToOne), string(ir.ConnAllToAll), string(ir.ConnFromFile), string(ir.ConnGaussian), string(ir.ConnConnectome), "allow_self"}
	monitorKeys = []string{"spikes", "traces", "rates", "every", "window", "traces_window", "fc"}
)

// ParseFile reads and parses the spec at path; see Parse. Errors name the
// file as path was written.
func ParseFile(path string) (*ir.Network, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// Limits on a spec, so that a hostile or mistaken input is an error, not a
// hang or an out-of-memory crash.
const (
	// MaxSpecBytes bounds a spec file's size: 16 MiB.
	MaxSpecBytes = 16 << 20
	// MaxNesting bounds the nesting of flow collections ([…], {…}).
	MaxNesting = 64
)

// ReadFile reads a spec file: a regular file (not a FIFO or a device,
// which could block or never end) of at most MaxSpecBytes.
func ReadFile(path string) ([]byte, error) {
	return infile.Read(path, "spec file", MaxSpecBytes)
}

// checkNesting returns the line at which flow collections nest deeper
// than MaxNesting (0 when they do not): the YAML parser's memory grows with
// the depth. Quoted strings and comments are skipped.
func checkNesting(data []byte) int {
	depth, line := 0, 1
	var quote byte
	comment := false
	for i, c := range data {
		switch {
		case c == '\n':
			line++
			comment = false
		case comment:
		case quote != 0:
			if c == quote && (quote == '\'' || data[i-1] != '\\') {
				quote = 0
			}
		case c == '#' && (i == 0 || data[i-1] == ' ' || data[i-1] == '\t' || data[i-1] == '\n'):
			comment = true
		case c == '"' || c == '\'':
			quote = c
		case c == '[' || c == '{':
			if depth++; depth > MaxNesting {
				return line
			}
		case c == ']' || c == '}':
			depth = max(0, depth-1)
		}
	}
	return 0
}

// Parse parses a network spec written in YAML (or JSON, which is YAML),
// fills in defaults and checks it as Validate does. filename is used in
// error messages and, when the spec has no name, to name the network.
//
// A spec is a mapping (testdata/coba.yaml is a complete example):
//
//	name: coba                # default: the file name without extension
//	dt: 0.1 ms                # default 0.1 ms
//	duration: 1 s             # default 1000 ms
//	seed: 42                  # default 0
//	populations:              # required; order is kept
//	  E:
//	    size: 3200            # required
//	    model: LifRef         # required; a neuron model of the catalogue
//	    params: {tau: 20 ms}  # catalogue defaults for the others
//	    init: {V: normal(-55 mV, 2 mV)}  # or a constant, or uniform(lo, hi)
//	    input: 20             # or {constant: 20}
//	    integrator: exp_euler # or euler, rk2, rk4
//	    noise: {var: V, sigma: 0.5}  # Euler–Maruyama term σ·dW (σ·V·dW with multiplicative: true)
//	  S:                      # given spike times (model SpikeTimes):
//	    size: 2
//	    model: SpikeTimes
//	    spikes: {times: [10 ms, 12.5 ms], indices: [0, 1]}  # or {file: spikes.npz}
//	projections:              # order is kept
//	  E2E:
//	    pre: E
//	    post: E
//	    conn: {fixed_prob: 0.02}         # or {fixed_in_degree: 80}, {fixed_out_degree: 80},
//	                                     # {one_to_one: true}, {all_to_all: true}; optional allow_self: true
//	    weight: 0.6
//	    synapse: {Expon: {tau: 5 ms}}    # or just Expon
//	    output: {COBA: {E: 0 mV}}        # or just CUBA
//	    kernel: auto                     # or dense, event, procedural
//	    init: {g: normal(0.2, 0.075)}    # synaptic variable's initial value (default 0)
//	    stp: {U: 0.15, tau_f: 1500 ms, tau_d: 200 ms}  # Tsodyks-Markram short-term plasticity
//	    stdp: {tau_plus: 20 ms, tau_minus: 20 ms, A_plus: 0.01, A_minus: 0.0105,
//	           w_min: 0, w_max: 1}       # pair-based STDP (these are the defaults)
//	    delay: 1.5 ms                    # or uniform(1 ms, 5 ms), normal(...): per synapse
//	  ext:                               # a Poisson input instead of pre and conn:
//	    poisson: {num: 1000, rate: 2.4 Hz, start: 0 ms, stop: 1 s}
//	    post: E                          # each neuron gets num trains of its own
//	    weight: 0.1
//	    synapse: Expon
//	    output: CUBA
//	monitors:                 # default: spikes of every population
//	  spikes: [E]
//	  traces: {E.V: [0, 1, 2], E.I_syn: [0], E2E.I: [0]}  # state, summed synaptic and one projection's current
//	  every: 1 ms                    # traces every 1 ms (a whole number of steps; default every step)
//	  window: [100 ms, 500 ms]       # spikes and traces only from 100 ms until 500 ms
//
// Dimensioned values are written "0.1 ms", "-60 mV", "1 s", "20 Hz"...; a
// plain number is taken to be in base units (ms, mV, Hz), see ParseQuantity.
// Inside a flow mapping such as {V: normal(-55 mV, 2 mV)} YAML splits the
// call at the comma; Parse joins it back. Unknown keys, duplicate keys, YAML
// merge keys (<<) and multiple documents are errors; anchors and aliases may
// be used.
//
// Parse returns the first problem found as a *SpecError carrying the file,
// the line, the path of the field and a message, e.g.
//
//	coba.yaml:7: populations.E.params.tau: expected a time (e.g. "5 ms"), got "5 mV"
//
// Problems of form (syntax, unknown keys, types, units, unknown models,
// parameters and state variables) are found while reading the spec;
// the range and reference checks shared with Validate run afterwards.
func Parse(data []byte, filename string) (*ir.Network, error) {
	n, err := parseSpec(data, filename)
	if err != nil {
		return nil, err
	}
	if err := ReadData(n); err != nil {
		return nil, err
	}
	return n, nil
}

// specParser turns a YAML AST into a Network, recording the line of every
// field for the checker.
type specParser struct {
	// pops are the populations parsed so far (a projection's weight is
	// read in its target's units).
	pops    []*ir.Population
	file    string
	lines   map[string]int
	anchors map[string]ast.Node
}

func parseSpec(data []byte, filename string) (*ir.Network, *ir.SpecError) {
	p := &specParser{file: filename, lines: map[string]int{}, anchors: map[string]ast.Node{}}
	if len(data) > MaxSpecBytes {
		return nil, &ir.SpecError{File: filename, Msg: fmt.Sprintf("the spec is larger than %d bytes (16 MiB), the limit", MaxSpecBytes)}
	}
	if line := checkNesting(data); line > 0 {
		return nil, &ir.SpecError{File: filename, Line: line, Msg: fmt.Sprintf("[…] and {…} nest deeper than %d levels", MaxNesting)}
	}
	f, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return nil, p.syntaxError(err)
	}
	var body ast.Node
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if body != nil {
			return nil, p.errAt(nodeLine(doc.Body), "", "a spec is a single YAML document, found a second one")
		}
		body = doc.Body
	}
	if body == nil {
		return nil, p.errAt(0, "", "spec is empty")
	}
	ast.Walk(anchorCollector(p.anchors), body)

	top, e := p.mapping(body, "", lineOr(nodeLine(body), 1), false)
	if e != nil {
		return nil, e
	}
	if e := p.checkKeys(top, topKeys); e != nil {
		return nil, e
	}
	if e := p.require(top, "populations"); e != nil {
		return nil, e
	}
	n := &ir.Network{Name: nameFromFile(filename), Dt: ir.DefaultDt, Duration: ir.DefaultDuration, File: filename}
	if en := top.get("name"); en != nil {
		if n.Name, e = p.str(en.value, en.line, "name"); e != nil {
			return nil, e
		}
	}
	if en := top.get("dt"); en != nil {
		if n.Dt, e = p.quantity(en.value, en.line, "dt", ir.Time); e != nil {
			return nil, e
		}
	}
	if en := top.get("duration"); en != nil {
		if n.Duration, e = p.quantity(en.value, en.line, "duration", ir.Time); e != nil {
			return nil, e
		}
	}
	if en := top.get("seed"); en != nil {
		if n.Seed, e = p.seed(en.value, en.line, "seed"); e != nil {
			return nil, e
		}
	}
	if en := top.get("precision"); en != nil {
		if n.Precision, e = p.str(en.value, en.line, "precision"); e != nil {
			return nil, e
		}
		if n.Precision != ir.PrecisionFloat32 && n.Precision != ir.PrecisionFloat64 {
			return nil, &ir.SpecError{File: filename, Line: en.line, Field: "precision",
				Msg: fmt.Sprintf("expected %s or %s, got %q", ir.PrecisionFloat32, ir.PrecisionFloat64, n.Precision)}
		}
	}
	if en := top.get("devices"); en != nil {
		if n.Devices, e = p.integer(en.value, en.line, "devices"); e != nil {
			return nil, e
		}
		if n.Devices < 1 || n.Devices > ir.MaxDevices {
			return nil, &ir.SpecError{File: filename, Line: en.line, Field: "devices",
				Msg: fmt.Sprintf("must be between 1 and %d, got %d", ir.MaxDevices, n.Devices)}
		}
	}

	en := top.get("populations")
	pops, e := p.mapping(en.value, "populations", en.keyLine, false)
	if e != nil {
		return nil, e
	}
	for i := range pops.entries {
		pop, e := p.population(&pops.entries[i])
		if e != nil {
			return nil, e
		}
		n.Populations = append(n.Populations, pop)
	}
	p.pops = n.Populations

	if en := top.get("projections"); en != nil {
		projs, e := p.mapping(en.value, "projections", en.keyLine, false)
		if e != nil {
			return nil, e
		}
		for i := range projs.entries {
			pr, e := p.projection(&projs.entries[i])
			if e != nil {
				return nil, e
			}
			n.Projections = append(n.Projections, pr)
		}
	}

	if en := top.get("monitors"); en != nil {
		if n.Monitors, e = p.monitors(en, n); e != nil {
			return nil, e
		}
	} else {
		for _, pop := range n.Populations {
			n.Monitors.Spikes = append(n.Monitors.Spikes, pop.Name)
		}
	}

	if err := n.ValidateSpec(p.file, p.lines); err != nil {
		return nil, err.(*ir.SpecError)
	}
	return n, nil
}

// nameFromFile derives a network name from a file name ("nets/coba.yaml" ->
// "coba"), or returns DefaultName.
func nameFromFile(filename string) string {
	if filename == "" {
		return ir.DefaultName
	}
	base := filepath.Base(filename)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	name := strings.Map(func(r rune) rune {
		if r < 128 && (r == '_' || r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, base)
	if !ir.ValidNetName(name) {
		return ir.DefaultName
	}
	return name
}

// syntaxError converts a go-yaml error into a SpecError with its line.
func (p *specParser) syntaxError(err error) *ir.SpecError {
	var ye interface {
		GetToken() *token.Token
		GetMessage() string
	}
	if errors.As(err, &ye) {
		line := 0
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			line = tk.Position.Line
		}
		return p.errAt(line, "", "invalid YAML: %s", ye.GetMessage())
	}
	return p.errAt(0, "", "invalid YAML: %s", err.Error())
}

func (p *specParser) errAt(line int, field, format string, args ...any) *ir.SpecError {
	return &ir.SpecError{File: p.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// anchorCollector records every anchor of a document, so that aliases can be
// resolved wherever they are read.
type anchorCollector map[string]ast.Node

// Visit implements ast.Visitor.
func (a anchorCollector) Visit(n ast.Node) ast.Visitor {
	if an, ok := n.(*ast.AnchorNode); ok && an.Name != nil {
		if _, seen := a[an.Name.GetToken().Value]; !seen {
			a[an.Name.GetToken().Value] = an.Value
		}
	}
	return a
}

// resolve looks through anchors, aliases and tags to the node holding a value.
func (p *specParser) resolve(n ast.Node, line int, field string) (ast.Node, *ir.SpecError) {
	for range 64 {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.AliasNode:
			name := ""
			if v.Value != nil {
				name = v.Value.GetToken().Value
			}
			target, ok := p.anchors[name]
			if !ok {
				return nil, p.errAt(lineOr(nodeLine(v), line), field, "unknown alias *%s", name)
			}
			n = target
		default:
			return n, nil
		}
	}
	return nil, p.errAt(line, field, "aliases nested too deeply")
}

// nodeLine returns the line of a node's first token, or 0.
func nodeLine(n ast.Node) int {
	if n == nil {
		return 0
	}
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		return nodeLine(m.Values[0].Key)
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return 0
	}
	return tk.Position.Line
}

func lineOr(line, fallback int) int {
	if line > 0 {
		return line
	}
	return fallback
}

// isNull reports whether n is an explicit or implicit YAML null.
func isNull(n ast.Node) bool {
	if n == nil {
		return true
	}
	_, ok := n.(*ast.NullNode)
	return ok
}

// describe renders a node for "got ..." in error messages.
func describe(n ast.Node) string {
	switch v := n.(type) {
	case nil:
		return "nothing"
	case *ast.NullNode:
		if v.Token == nil || v.Token.Type == token.ImplicitNullType {
			return "nothing"
		}
		return "null"
	case *ast.StringNode:
		return fmt.Sprintf("%q", v.Value)
	case *ast.LiteralNode:
		return fmt.Sprintf("%q", v.Value.Value)
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	}
	if tk := n.GetToken(); tk != nil && tk.Value != "" {
		return tk.Value
	}
	return n.String()
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// mapEntry is one key/value pair of a spec mapping. value is resolved
// (anchors, aliases and tags looked through).
type mapEntry struct {
	key     string
	keyLine int
	value   ast.Node
	// line is the value's line (the key's line when the value has none).
	line int
}

// specMap is a spec mapping read from the AST: its field path, the line where
// it is defined and its entries in file order.
type specMap struct {
	path    string
	line    int
	entries []mapEntry
}

func (m *specMap) get(key string) *mapEntry {
	for i := range m.entries {
		if m.entries[i].key == key {
			return &m.entries[i]
		}
	}
	return nil
}

// mapping reads n as a mapping at field path, defined at line (a null is an
// empty mapping). It rejects duplicate keys and records the line of each
// entry's value under path.key. With joinCalls, function calls split by YAML
// at commas inside a flow mapping ({V: normal(-55 mV, 2 mV)}) are joined back.
func (p *specParser) mapping(n ast.Node, path string, line int, joinCalls bool) (*specMap, *ir.SpecError) {
	n, e := p.resolve(n, line, path)
	if e != nil {
		return nil, e
	}
	m := &specMap{path: path, line: line}
	var values []*ast.MappingValueNode
	flow := false
	switch v := n.(type) {
	case *ast.MappingNode:
		values, flow = v.Values, v.IsFlowStyle
	case *ast.MappingValueNode:
		values, flow = []*ast.MappingValueNode{v}, v.IsFlowStyle
	default:
		if isNull(n) {
			return m, nil
		}
		return nil, p.errAt(lineOr(nodeLine(n), line), path, "expected a mapping, got %s", describe(n))
	}
	first := map[string]int{}
	for i := 0; i < len(values); i++ {
		mv := values[i]
		keyLine := lineOr(nodeLine(mv.Key), line)
		if mv.Key != nil && mv.Key.IsMergeKey() {
			return nil, p.errAt(keyLine, path, "merge keys (<<) are not supported")
		}
		key, e := p.keyText(mv.Key, keyLine, path)
		if e != nil {
			return nil, e
		}
		value, e := p.resolve(mv.Value, keyLine, joinPath(path, key))
		if e != nil {
			return nil, e
		}
		if joinCalls && flow {
			var used int
			value, used = joinSplitCall(value, values[i+1:])
			i += used
		}
		field := joinPath(path, key)
		if l, dup := first[key]; dup {
			return nil, p.errAt(keyLine, field, "duplicate key %q (first defined at line %d)", key, l)
		}
		first[key] = keyLine
		vl := keyLine
		if !isNull(value) {
			vl = lineOr(nodeLine(value), keyLine)
		}
		p.lines[field] = vl
		m.entries = append(m.entries, mapEntry{key: key, keyLine: keyLine, value: value, line: vl})
	}
	return m, nil
}

// keyText returns the text of a mapping key.
func (p *specParser) keyText(k ast.MapKeyNode, line int, path string) (string, *ir.SpecError) {
	switch v := k.(type) {
	case nil:
		return "", p.errAt(line, path, "missing key")
	case *ast.StringNode:
		return v.Value, nil
	case *ast.MappingKeyNode:
		return "", p.errAt(line, path, "complex mapping keys (?) are not supported")
	}
	if tk := k.GetToken(); tk != nil {
		return tk.Value, nil
	}
	return k.String(), nil
}

// joinSplitCall undoes YAML's split of "f(a, b)" inside a flow mapping, which
// reads as the entry "f(a" followed by keys "b)" with no value. It returns the
// joined string node and how many following entries it consumed.
func joinSplitCall(value ast.Node, rest []*ast.MappingValueNode) (ast.Node, int) {
	s, ok := value.(*ast.StringNode)
	if !ok || strings.Count(s.Value, "(") <= strings.Count(s.Value, ")") {
		return value, 0
	}
	text := s.Value
	used := 0
	for _, mv := range rest {
		if mv.Key == nil || !isNull(mv.Value) {
			break
		}
		if nt, ok := mv.Value.(*ast.NullNode); ok && nt.Token != nil && nt.Token.Type != token.ImplicitNullType {
			break
		}
		var arg string
		switch k := mv.Key.(type) {
		case *ast.StringNode:
			arg = k.Value
		case *ast.IntegerNode, *ast.FloatNode:
			arg = k.GetToken().Value
		default:
			return value, 0
		}
		text += ", " + arg
		used++
		if strings.Count(text, "(") <= strings.Count(text, ")") {
			return &ast.StringNode{BaseNode: &ast.BaseNode{}, Token: s.Token, Value: text}, used
		}
	}
	return value, 0
}

// checkKeys rejects the first key of m that is not in valid.
func (p *specParser) checkKeys(m *specMap, valid []string) *ir.SpecError {
	for _, en := range m.entries {
		if !slices.Contains(valid, en.key) {
			what := "key"
			if m.path == "" {
				what = "top-level key"
			}
			return p.errAt(en.keyLine, m.path, "unknown %s %q (valid keys: %s)", what, en.key, strings.Join(valid, ", "))
		}
	}
	return nil
}

// require rejects a mapping lacking one of keys, at the mapping's line.
func (p *specParser) require(m *specMap, keys ...string) *ir.SpecError {
	for _, k := range keys {
		if m.get(k) == nil {
			return p.errAt(m.line, m.path, "missing required key %q", k)
		}
	}
	return nil
}

// str reads a string.
func (p *specParser) str(n ast.Node, line int, field string) (string, *ir.SpecError) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, nil
	case *ast.LiteralNode:
		return strings.TrimSpace(v.Value.Value), nil
	}
	return "", p.errAt(line, field, "expected a string, got %s", describe(n))
}

// integer reads a (possibly negative) integer that fits an int.
func (p *specParser) integer(n ast.Node, line int, field string) (int, *ir.SpecError) {
	if v, ok := n.(*ast.IntegerNode); ok {
		switch i := v.Value.(type) {
		case int64: // go-yaml gives negative integers as int64
			if i >= math.MinInt {
				return int(i), nil
			}
		case uint64: // and non-negative ones as uint64
			if i <= math.MaxInt {
				return int(i), nil
			}
		}
		return 0, p.errAt(line, field, "integer %s is too large", describe(n))
	}
	return 0, p.errAt(line, field, "expected an integer, got %s", describe(n))
}

// seed reads a non-negative integer.
func (p *specParser) seed(n ast.Node, line int, field string) (uint64, *ir.SpecError) {
	if v, ok := n.(*ast.IntegerNode); ok {
		switch i := v.Value.(type) {
		case int64:
			if i >= 0 {
				return uint64(i), nil
			}
		case uint64:
			return i, nil
		}
	}
	return 0, p.errAt(line, field, "expected a non-negative integer, got %s", describe(n))
}

// boolean reads true or false.
func (p *specParser) boolean(n ast.Node, line int, field string) (bool, *ir.SpecError) {
	if v, ok := n.(*ast.BoolNode); ok {
		return v.Value, nil
	}
	return false, p.errAt(line, field, "expected true or false, got %s", describe(n))
}

// quantity reads a number or a dimensioned string in the base unit of d.
func (p *specParser) quantity(n ast.Node, line int, field string, d ir.Dim) (float64, *ir.SpecError) {
	switch v := n.(type) {
	case *ast.IntegerNode:
		switch i := v.Value.(type) {
		case int64:
			return float64(i), nil
		case uint64:
			return float64(i), nil
		}
	case *ast.FloatNode:
		return v.Value, nil
	case *ast.InfinityNode, *ast.NanNode:
		return 0, p.errAt(line, field, "must be a finite number, got %s", describe(n))
	case *ast.StringNode:
		x, err := ir.ParseQuantity(v.Value, d)
		if err != nil {
			return 0, p.errAt(line, field, "%s", err.Error())
		}
		return x, nil
	}
	return 0, p.errAt(line, field, "%s, got %s", ir.Expectation(d), describe(n))
}

// params reads a params mapping of model m into dst (already holding the
// defaults); field is the mapping's path.
//
// With vary not nil, a value may differ from neuron to neuron (see value):
// such values go to vary, and dst holds their A as a stand-in.
func (p *specParser) params(n ast.Node, line int, field string, m *catalog.ModelSpec, dst map[string]float64, vary map[string]ir.Init) *ir.SpecError {
	pm, e := p.mapping(n, field, line, vary != nil) // normal(a, b) in a flow mapping
	if e != nil {
		return e
	}
	for _, en := range pm.entries {
		ps, ok := m.Param(en.key)
		if !ok {
			return p.errAt(en.keyLine, field, "%s", ir.MsgUnknownParam(m, en.key))
		}
		if vary == nil {
			if dst[en.key], e = p.quantity(en.value, en.line, joinPath(field, en.key), ps.Dim); e != nil {
				return e
			}
			continue
		}
		in, e := p.value(en.value, en.line, joinPath(field, en.key), catalogUnits(ps.Dim), true)
		if e != nil {
			return e
		}
		dst[en.key] = in.A
		if in.PerNeuron() {
			vary[en.key] = in
		}
	}
	return nil
}

// population reads one entry of populations.
func (p *specParser) population(en *mapEntry) (*ir.Population, *ir.SpecError) {
	path := "populations." + en.key
	p.lines[path] = en.keyLine
	m, e := p.mapping(en.value, path, en.keyLine, true) // input: normal(a, b) in a flow mapping
	if e != nil {
		return nil, e
	}
	if e := p.checkKeys(m, populationKeys); e != nil {
		return nil, e
	}
	if e := p.require(m, "size", "model"); e != nil {
		return nil, e
	}
	pop := &ir.Population{Name: en.key, Integrator: ir.DefaultIntegrator, Line: en.keyLine}
	f := m.get("size")
	if pop.Size, e = p.integer(f.value, f.line, path+".size"); e != nil {
		return nil, e
	}
	f = m.get("model")
	var model *catalog.ModelSpec
	if isMapping(f.value) {
		pop.Model = ir.EquationsModel
		if pop.Equations, e = p.equationModel(f, path+".model"); e != nil {
			return nil, e
		}
		model = ir.EquationSpec(pop.Equations)
	} else {
		if pop.Model, e = p.str(f.value, f.line, path+".model"); e != nil {
			return nil, e
		}
		var ok bool
		if model, ok = catalog.LookupModel(catalog.KindNeuron, pop.Model); !ok {
			return nil, p.errAt(f.line, path+".model", "%s", ir.MsgUnknownModel(catalog.KindNeuron, pop.Model))
		}
	}
	pop.Params = model.Defaults()
	if f := m.get("params"); f != nil {
		if pop.Equations != nil {
			pop.Vary = map[string]ir.Init{}
			e = p.equationParams(f, path+".params", pop.Equations, pop.Params, pop.Vary)
		} else {
			pop.Vary = map[string]ir.Init{}
			e = p.params(f.value, f.keyLine, path+".params", model, pop.Params, pop.Vary)
		}
		if e != nil {
			return nil, e
		}
	}
	if f := m.get("init"); f != nil {
		if pop.Equations != nil {
			pop.Init, e = p.equationInits(f, path+".init", pop.Equations)
		} else {
			pop.Init, e = p.inits(f, path+".init", model, true)
		}
		if e != nil {
			return nil, e
		}
	}
	if f := m.get("input"); f != nil {
		units := plainUnits("the input of " + pop.Model)
		if n := pop.Equations; n != nil && n.UsesInput {
			units = currentUnits(n.InputDim, "the dimension of the equations' input I")
		}
		if pop.Input, e = p.input(f, path+".input", units); e != nil {
			return nil, e
		}
	}
	if f := m.get("integrator"); f != nil {
		if pop.Integrator, e = p.str(f.value, f.line, path+".integrator"); e != nil {
			return nil, e
		}
	}
	if f := m.get("spikes"); f != nil {
		if pop.Spikes, e = p.spikeTimes(f, path+".spikes"); e != nil {
			return nil, e
		}
	}
	if f := m.get("noise"); f != nil {
		if pop.Noise, e = p.noise(f, path+".noise"); e != nil {
			return nil, e
		}
	}
	return pop, nil
}

// noise reads a population's stochastic term: {var: V, sigma: 0.5} or
// {var: V, sigma: 0.1, multiplicative: true}.
func (p *specParser) noise(f *mapEntry, field string) (*ir.Noise, *ir.SpecError) {
	m, e := p.keyed(f, field, []string{"var", "sigma", "multiplicative"})
	if e != nil {
		return nil, e
	}
	if e := p.require(m, "var", "sigma"); e != nil {
		return nil, e
	}
	n := &ir.Noise{}
	g := m.get("var")
	if n.Var, e = p.str(g.value, g.line, field+".var"); e != nil {
		return nil, e
	}
	g = m.get("sigma")
	if n.Sigma, e = p.quantity(g.value, g.line, field+".sigma", ir.Dimensionless); e != nil {
		return nil, e
	}
	if g := m.get("multiplicative"); g != nil {
		if n.Multiplicative, e = p.boolean(g.value, g.line, field+".multiplicative"); e != nil {
			return nil, e
		}
	}
	return n, nil
}

// inputShape reads the parameters of a ramp, sinusoid or section input.
func (p *specParser) inputShape(in *ir.Input, en *mapEntry, field string) *ir.SpecError {
	var keys []quantityField
	var required []string
	switch in.Kind {
	case "ramp":
		keys = []quantityField{{"from", ir.Dimensionless, &in.From, nil, nil}, {"to", ir.Dimensionless, &in.To, nil, nil},
			{"start", ir.Time, &in.Start, nil, nil}, {"end", ir.Time, &in.End, nil, nil}}
		required = []string{"to", "end"}
	case "sinusoid":
		keys = []quantityField{{"amplitude", ir.Dimensionless, &in.Amplitude, nil, nil}, {"frequency", ir.Rate, &in.Frequency, nil, nil},
			{"offset", ir.Dimensionless, &in.Value, nil, nil}, {"phase", ir.Dimensionless, &in.Phase, nil, nil}}
		required = []string{"amplitude", "frequency"}
	case "noise":
		keys = []quantityField{{"mean", ir.Dimensionless, &in.Value, nil, nil}, {"sigma", ir.Dimensionless, &in.Sigma, nil, nil}}
		required = []string{"sigma"}
	case "ou":
		keys = []quantityField{{"mean", ir.Dimensionless, &in.Value, nil, nil}, {"sigma", ir.Dimensionless, &in.Sigma, nil, nil},
			{"tau", ir.Time, &in.Tau, nil, nil}}
		required = []string{"sigma", "tau"}
	case "section":
		m, e := p.keyed(en, field, []string{"values", "durations"})
		if e != nil {
			return e
		}
		if e := p.require(m, "values", "durations"); e != nil {
			return e
		}
		if in.Values, e = p.quantityList(m.get("values"), field+".values", ir.Dimensionless); e != nil {
			return e
		}
		if in.Durations, e = p.quantityList(m.get("durations"), field+".durations", ir.Time); e != nil {
			return e
		}
		if len(in.Values) != len(in.Durations) || len(in.Values) == 0 {
			return p.errAt(en.keyLine, field, "values and durations must be non-empty lists of the same length, got %d and %d",
				len(in.Values), len(in.Durations))
		}
		for i, d := range in.Durations {
			if !(d > 0) {
				return p.errAt(en.keyLine, fmt.Sprintf("%s.durations[%d]", field, i), "must be > 0, got %g ms", d)
			}
		}
		return nil
	}
	if e := p.quantities(en, field, keys, required...); e != nil {
		return e
	}
	if in.Kind == "noise" && !(in.Sigma >= 0) {
		return p.errAt(en.keyLine, field+".sigma", "must be >= 0, got %g", in.Sigma)
	}
	if in.Kind == "ramp" && !(in.End > in.Start) {
		return p.errAt(en.keyLine, field+".end", "must be after start (%g ms), got %g ms", in.Start, in.End)
	}
	return nil
}

// weightUnits are the units of a projection's weight: a voltage jump for
// a Delta output; for a catalogue synapse onto a model given by equations,
// what its output makes of the synaptic variable in the units of the
// model's input I (CUBA: I's, a current; COBA: I's per volt, a
// conductance); else plain numbers in the target model's own units.
func (p *specParser) weightUnits(pr *ir.Projection) valueUnits {
	if pr.Output.Model == "Delta" {
		return catalogUnits(ir.Voltage)
	}
	var post *ir.Population
	for _, q := range p.pops {
		if q.Name == pr.Post {
			post = q
		}
	}
	if post == nil || post.Equations == nil || !post.Equations.UsesInput || pr.Synapse.Synapse != nil {
		what := "a weight"
		if post != nil {
			what = "a weight onto " + post.Model
		}
		return plainUnits(what)
	}
	in := post.Equations.InputDim
	switch pr.Output.Model {
	case "CUBA":
		return currentUnits(in, "the dimension of "+post.Name+"'s input I, which a CUBA output adds the synaptic variable to")
	case "COBA":
		return currentUnits(in.Div(eqs.Voltage), "the dimension of "+post.Name+"'s input I per volt: a COBA output adds g·(E − V)")
	}
	return plainUnits("a weight onto " + post.Name)
}

// callRE matches "name(args)".
var callRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)$`)

// input reads a population's input: a number or {constant: number}; a
// constant's value is read in units u.
func (p *specParser) input(en *mapEntry, field string, u valueUnits) (ir.Input, *ir.SpecError) {
	switch en.value.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		m, e := p.mapping(en.value, field, en.keyLine, false)
		if e != nil {
			return ir.Input{}, e
		}
		if e := p.checkKeys(m, ir.InputKinds); e != nil {
			return ir.Input{}, e
		}
		if len(m.entries) != 1 {
			return ir.Input{}, p.errAt(en.keyLine, field, "give exactly one input kind (%s)", strings.Join(ir.InputKinds, ", "))
		}
		kind := m.entries[0]
		in := ir.Input{Kind: kind.key}
		if kind.key == "constant" {
			return p.constantInput(kind.value, kind.line, field+".constant", u)
		}
		return in, p.inputShape(&in, &kind, field+"."+kind.key)
	}
	if isNull(en.value) {
		return ir.Input{}, nil
	}
	return p.constantInput(en.value, en.line, field, u)
}

// constantInput reads a constant input: one value, or one per neuron (a
// distribution, an expression of i, N and r, or a file).
func (p *specParser) constantInput(n ast.Node, line int, field string, u valueUnits) (ir.Input, *ir.SpecError) {
	v, e := p.value(n, line, field, u, true)
	in := ir.Input{Kind: "constant", Value: v.A}
	if v.PerNeuron() {
		in.PerNeuron = &v
	}
	return in, e
}

// coupling reads a rate projection's coupling function: linear,
// difference, or {sigmoid: {max: 1, midpoint: 6, slope: 0.56}}.
func (p *specParser) coupling(f *mapEntry, field string) (ir.Coupling, *ir.SpecError) {
	if !isMapping(f.value) {
		kind, e := p.str(f.value, f.line, field)
		if e == nil && kind == ir.CouplingSigmoid {
			e = p.errAt(f.line, field, "sigmoid takes its shape: {sigmoid: {max: …, midpoint: …, slope: …}}")
		}
		return ir.Coupling{Kind: kind}, e
	}
	m, e := p.mapping(f.value, field, f.keyLine, false)
	if e != nil {
		return ir.Coupling{}, e
	}
	if e = p.checkKeys(m, []string{ir.CouplingSigmoid}); e == nil {
		e = p.require(m, ir.CouplingSigmoid)
	}
	if e != nil {
		return ir.Coupling{}, e
	}
	c := ir.Coupling{Kind: ir.CouplingSigmoid, Max: 1, Slope: 1}
	e = p.quantities(m.get(ir.CouplingSigmoid), field+"."+ir.CouplingSigmoid, []quantityField{
		{"max", ir.Dimensionless, &c.Max, nil, nil}, {"midpoint", ir.Dimensionless, &c.Midpoint, nil, nil},
		{"slope", ir.Dimensionless, &c.Slope, nil, nil}})
	return c, e
}

// speedMMPerMs reads a speed ("3 mm/ms", "3 m/s") in mm/ms: the number
// times the unit's size in mm/ms, which is exact for units a power of ten
// apart (3 m/s is 3, not 0.3 cm/ms·10).
func speedMMPerMs(s string) (float64, *ir.SpecError) {
	bad := func(err error) (float64, *ir.SpecError) {
		return 0, &ir.SpecError{Msg: fmt.Sprintf("expected a speed (e.g. \"3 mm/ms\" or \"3 m/s\"): %v", err)}
	}
	x, unit, ok := ir.SplitQuantity(s)
	if !ok || unit == "" {
		return bad(fmt.Errorf("%q is not a finite number with a unit of length per time", s))
	}
	size, err := eqs.ParseQuantityOf("1 "+unit, eqs.Length.Div(eqs.Time)) // in coherent cm/ms
	if err != nil {
		return bad(err)
	}
	return x * (size * 10), nil
}

// connectome reads conn: {connectome: {file: F, speed: 3 mm/ms}}: the
// file (relative to the spec's directory) and the conduction speed, a
// length per time stored in mm/ms (0, the default: no delays).
func (p *specParser) connectome(rule *mapEntry, field string, c *ir.Conn) *ir.SpecError {
	m, e := p.mapping(rule.value, field, rule.keyLine, false)
	if e != nil {
		return e
	}
	if e = p.checkKeys(m, []string{"file", "speed"}); e == nil {
		e = p.require(m, "file")
	}
	if e != nil {
		return e
	}
	f := m.get("file")
	if c.File, e = p.str(f.value, f.line, field+".file"); e != nil {
		return e
	}
	if !filepath.IsAbs(c.File) && p.file != "" {
		c.File = filepath.Join(filepath.Dir(p.file), c.File)
	}
	if f := m.get("speed"); f != nil {
		s, e := p.str(f.value, f.line, field+".speed")
		if e != nil {
			return e
		}
		if c.Speed, e = speedMMPerMs(s); e != nil {
			return p.errAt(f.line, field+".speed", "%s", e.Msg)
		}
	}
	return nil
}

// projection reads one entry of projections.
func (p *specParser) projection(en *mapEntry) (*ir.Projection, *ir.SpecError) {
	path := "projections." + en.key
	p.lines[path] = en.keyLine
	m, e := p.mapping(en.value, path, en.keyLine, true) // delay: uniform(a, b) in a flow mapping
	if e != nil {
		return nil, e
	}
	if e := p.checkKeys(m, projectionKeys); e != nil {
		return nil, e
	}
	pr := &ir.Projection{Name: en.key, Kernel: ir.DefaultKernel, Line: en.keyLine}
	if f := m.get("poisson"); f != nil {
		if e := p.require(m, "post", "weight", "synapse", "output"); e != nil {
			return nil, e
		}
		pr.Poisson = &ir.PoissonInput{}
		if e := p.quantities(f, path+".poisson", []quantityField{{"num", ir.Dimensionless, nil, &pr.Poisson.Num, nil},
			{"rate", ir.Rate, &pr.Poisson.Rate, nil, nil}, {"start", ir.Time, &pr.Poisson.Start, nil, nil},
			{"stop", ir.Time, &pr.Poisson.Stop, nil, nil}}, "num", "rate"); e != nil {
			return nil, e
		}
	} else if e := p.require(m, "pre", "post", "conn", "weight", "synapse", "output"); e != nil {
		return nil, e
	}
	if f := m.get("pre"); f != nil {
		if pr.Pre, e = p.str(f.value, f.line, path+".pre"); e != nil {
			return nil, e
		}
	}
	f := m.get("post")
	if pr.Post, e = p.str(f.value, f.line, path+".post"); e != nil {
		return nil, e
	}
	if f := m.get("conn"); f != nil {
		if pr.Conn, e = p.conn(f, path+".conn"); e != nil {
			return nil, e
		}
	}
	if f := m.get("delay"); f != nil {
		if pr.Delay, e = p.value(f.value, f.line, path+".delay", catalogUnits(ir.Time), false); e != nil {
			return nil, e
		}
	}
	if pr.Synapse, e = p.component(m.get("synapse"), path+".synapse", catalog.KindSynapse, eqs.Dimensionless); e != nil {
		return nil, e
	}
	gDim := eqs.Dimensionless
	if syn := pr.Synapse.Synapse; syn != nil {
		gDim = syn.States[0].Dim
	}
	if pr.Output, e = p.component(m.get("output"), path+".output", catalog.KindOutput, gDim); e != nil {
		return nil, e
	}
	f = m.get("weight")
	w, e := p.value(f.value, f.line, path+".weight", p.weightUnits(pr), false)
	if e != nil {
		return nil, e
	}
	pr.Weight = w.A
	if w.PerNeuron() {
		pr.Weight, pr.WeightDist = 1, &w
	}
	if f := m.get("kernel"); f != nil {
		if pr.Kernel, e = p.str(f.value, f.line, path+".kernel"); e != nil {
			return nil, e
		}
	}
	if f := m.get("carries"); f != nil {
		if pr.Carries, e = p.str(f.value, f.line, path+".carries"); e != nil {
			return nil, e
		}
	}
	if f := m.get("coupling"); f != nil {
		if pr.Coupling, e = p.coupling(f, path+".coupling"); e != nil {
			return nil, e
		}
	}
	for _, q := range p.pops {
		if q.Name == pr.Pre && pr.Carries == "" {
			pr.Carries = ir.DefaultCarries(q)
		}
	}
	if f := m.get("stp"); f != nil {
		pr.STP = &ir.STP{U: 0.15, TauF: 1500, TauD: 200}
		if e := p.quantities(f, path+".stp", []quantityField{{"U", ir.Dimensionless, &pr.STP.U, nil, nil},
			{"tau_f", ir.Time, &pr.STP.TauF, nil, nil}, {"tau_d", ir.Time, &pr.STP.TauD, nil, nil},
			{key: "form", str: &pr.STP.Form}}); e != nil {
			return nil, e
		}
	}
	if f := m.get("stdp"); f != nil {
		s := &ir.STDP{TauPlus: 20, TauMinus: 20, APlus: 0.01, AMinus: 0.0105, WMin: 0, WMax: 1}
		if e := p.quantities(f, path+".stdp", []quantityField{{"tau_plus", ir.Time, &s.TauPlus, nil, nil},
			{"tau_minus", ir.Time, &s.TauMinus, nil, nil}, {"A_plus", ir.Dimensionless, &s.APlus, nil, nil},
			{"A_minus", ir.Dimensionless, &s.AMinus, nil, nil}, {"w_min", ir.Dimensionless, &s.WMin, nil, nil},
			{"w_max", ir.Dimensionless, &s.WMax, nil, nil}}); e != nil {
			return nil, e
		}
		pr.STDP = s
	}
	if f := m.get("plasticity"); f != nil {
		if pr.Plasticity, pr.Modulators, e = p.plasticity(f, path+".plasticity"); e != nil {
			return nil, e
		}
	}
	if f := m.get("init"); f != nil {
		model, _ := pr.Synapse.ModelSpec(catalog.KindSynapse)
		if pr.Init, e = p.inits(f, path+".init", model, false); e != nil {
			return nil, e
		}
	}
	return pr, nil
}

// keyed reads the mapping of entry f, whose keys must be among valid.
func (p *specParser) keyed(f *mapEntry, field string, valid []string) (*specMap, *ir.SpecError) {
	m, e := p.mapping(f.value, field, f.keyLine, false)
	if e != nil {
		return nil, e
	}
	return m, p.checkKeys(m, valid)
}

// quantityList reads a list of quantities of dimension d.
func (p *specParser) quantityList(f *mapEntry, field string, d ir.Dim) ([]float64, *ir.SpecError) {
	items, lines, e := p.list(f, field)
	if e != nil {
		return nil, e
	}
	out := make([]float64, len(items))
	for i, it := range items {
		if out[i], e = p.quantity(it, lines[i], fmt.Sprintf("%s[%d]", field, i), d); e != nil {
			return nil, e
		}
	}
	return out, nil
}

// spikeTimes reads a spike-time source: {times: [...], indices: [...]} or
// {file: path} (an .npz with arrays times, in ms, and indices).
func (p *specParser) spikeTimes(f *mapEntry, field string) (*ir.SpikeTimes, *ir.SpecError) {
	m, e := p.keyed(f, field, []string{"times", "indices", "file"})
	if e != nil {
		return nil, e
	}
	st := &ir.SpikeTimes{}
	if g := m.get("file"); g != nil {
		if m.get("times") != nil || m.get("indices") != nil {
			return nil, p.errAt(g.line, field, "give times and indices, or a file, not both")
		}
		if st.File, e = p.str(g.value, g.line, field+".file"); e == nil && !filepath.IsAbs(st.File) && p.file != "" {
			st.File = filepath.Join(filepath.Dir(p.file), st.File)
		}
		return st, e
	}
	if e := p.require(m, "times", "indices"); e != nil {
		return nil, e
	}
	if st.Times, e = p.quantityList(m.get("times"), field+".times", ir.Time); e != nil {
		return nil, e
	}
	g := m.get("indices")
	items, lines, e := p.list(g, field+".indices")
	if e != nil {
		return nil, e
	}
	for i, it := range items {
		k, e := p.integer(it, lines[i], fmt.Sprintf("%s.indices[%d]", field, i))
		if e != nil {
			return nil, e
		}
		st.Indices = append(st.Indices, k)
	}
	return st, nil
}

// quantityField is one field of a flat mapping of quantities: a float (dst)
// or an integer (num) with its dimension.
type quantityField struct {
	key string
	dim ir.Dim
	dst *float64
	num *int
	str *string
}

// quantities reads a mapping whose keys are the given fields (each
// optional unless listed in required) into their destinations.
func (p *specParser) quantities(f *mapEntry, path string, fields []quantityField, required ...string) *ir.SpecError {
	keys := make([]string, len(fields))
	for i, k := range fields {
		keys[i] = k.key
	}
	m, e := p.keyed(f, path, keys)
	if e != nil {
		return e
	}
	if e := p.require(m, required...); e != nil {
		return e
	}
	for _, k := range fields {
		g := m.get(k.key)
		switch {
		case g == nil:
		case k.num != nil:
			if *k.num, e = p.integer(g.value, g.line, path+"."+k.key); e != nil {
				return e
			}
		case k.str != nil:
			if *k.str, e = p.str(g.value, g.line, path+"."+k.key); e != nil {
				return e
			}
		default:
			if *k.dst, e = p.quantity(g.value, g.line, path+"."+k.key, k.dim); e != nil {
				return e
			}
		}
	}
	return nil
}

// inits reads an init mapping: state variable of model → initial value.
func (p *specParser) inits(f *mapEntry, field string, model *catalog.ModelSpec, perNeuron bool) (map[string]ir.Init, *ir.SpecError) {
	im, e := p.mapping(f.value, field, f.keyLine, true)
	if e != nil {
		return nil, e
	}
	out := map[string]ir.Init{}
	for _, ie := range im.entries {
		st, ok := model.State(ie.key)
		if !ok {
			return nil, p.errAt(ie.keyLine, field, "%s", ir.MsgUnknownState(model, ie.key))
		}
		in, e := p.value(ie.value, ie.line, field+"."+ie.key, catalogUnits(st.Dim), perNeuron)
		if e != nil {
			return nil, e
		}
		out[ie.key] = in
	}
	return out, nil
}

// conn reads a connectivity rule: {fixed_prob: p} or {fixed_in_degree: k},
// with an optional allow_self.
func (p *specParser) conn(en *mapEntry, field string) (ir.Conn, *ir.SpecError) {
	var c ir.Conn
	m, e := p.mapping(en.value, field, en.keyLine, false)
	if e != nil {
		return c, e
	}
	if e := p.checkKeys(m, connKeys); e != nil {
		return c, e
	}
	var rule *mapEntry
	for i := range m.entries {
		f := &m.entries[i]
		if f.key == "allow_self" {
			continue
		}
		if rule != nil {
			return c, p.errAt(f.keyLine, field, "only one connectivity rule may be given, found %s and %s", rule.key, f.key)
		}
		rule = f
	}
	if rule == nil {
		return c, p.errAt(m.line, field, "missing connectivity rule (one of %s)", strings.Join(connKeys[:len(connKeys)-1], ", "))
	}
	c.Rule = ir.ConnRule(rule.key)
	switch c.Rule {
	case ir.ConnFixedProb:
		c.Prob, e = p.quantity(rule.value, rule.line, field+"."+rule.key, ir.Dimensionless)
	case ir.ConnFixedInDegree, ir.ConnFixedOutDegree:
		c.Num, e = p.integer(rule.value, rule.line, field+"."+rule.key)
	case ir.ConnGaussian:
		gm, e2 := p.mapping(rule.value, field+"."+rule.key, rule.keyLine, false)
		if e2 != nil {
			return c, e2
		}
		if e2 = p.checkKeys(gm, []string{"sigma", "p_max"}); e2 == nil {
			e2 = p.require(gm, "sigma")
		}
		if e2 != nil {
			return c, e2
		}
		c.PMax = 1
		for _, k := range []struct {
			key string
			dst *float64
		}{{"sigma", &c.Sigma}, {"p_max", &c.PMax}} {
			if f := gm.get(k.key); f != nil {
				if *k.dst, e = p.quantity(f.value, f.line, field+".gaussian."+k.key, ir.Dimensionless); e != nil {
					return c, e
				}
			}
		}
	case ir.ConnFromFile:
		if c.File, e = p.str(rule.value, rule.line, field+"."+rule.key); e == nil && !filepath.IsAbs(c.File) && p.file != "" {
			c.File = filepath.Join(filepath.Dir(p.file), c.File)
		}
	case ir.ConnConnectome:
		e = p.connectome(rule, field+"."+rule.key, &c)
	case ir.ConnOneToOne, ir.ConnAllToAll:
		var on bool
		if on, e = p.boolean(rule.value, rule.line, field+"."+rule.key); e == nil && !on {
			e = p.errAt(rule.line, field+"."+rule.key, "write %s: true (or leave the rule out)", rule.key)
		}
	}
	if e != nil {
		return c, e
	}
	if f := m.get("allow_self"); f != nil {
		if c.AllowSelf, e = p.boolean(f.value, f.line, field+".allow_self"); e != nil {
			return c, e
		}
	}
	return c, nil
}

// component reads a synapse or output: a model name, or a one-key mapping
// from model name to its params (which may be empty or null).
//
// A synapse given by equations ({equations: …, on_pre: …, params: …}) or
// an output given by an expression ({current: …, params: …}) is read by
// equationComponent; gDim is the synapse's g's dimension, for outputs.
func (p *specParser) component(en *mapEntry, field string, kind catalog.ModelKind, gDim eqs.Dim) (ir.Component, *ir.SpecError) {
	var c ir.Component
	if s, ok := en.value.(*ast.StringNode); ok {
		m, ok := catalog.LookupModel(kind, s.Value)
		if !ok {
			return c, p.errAt(en.line, field, "%s", ir.MsgUnknownModel(kind, s.Value))
		}
		return ir.Component{Model: m.Name, Params: m.Defaults()}, nil
	}
	switch en.value.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
	default:
		return c, p.errAt(en.line, field, "expected a %s model name or {Model: {params}}, got %s", kind, describe(en.value))
	}
	cm, e := p.mapping(en.value, field, en.keyLine, false)
	if e != nil {
		return c, e
	}
	if len(cm.entries) == 0 {
		return c, p.errAt(en.line, field, "expected a %s model name or {Model: {params}}, got an empty mapping", kind)
	}
	if cm.get("equations") != nil || cm.get("current") != nil {
		return p.equationComponent(en, field, kind, gDim)
	}
	if len(cm.entries) > 1 {
		return c, p.errAt(cm.entries[1].keyLine, field, "expected a single %s model, found %s and %s",
			kind, cm.entries[0].key, cm.entries[1].key)
	}
	me := cm.entries[0]
	m, ok := catalog.LookupModel(kind, me.key)
	if !ok {
		return c, p.errAt(me.keyLine, field, "%s", ir.MsgUnknownModel(kind, me.key))
	}
	c = ir.Component{Model: m.Name, Params: m.Defaults()}
	if e := p.params(me.value, me.keyLine, field+"."+m.Name, m, c.Params, nil); e != nil {
		return c, e
	}
	return c, nil
}

// monitors reads the monitors mapping.
func (p *specParser) monitors(en *mapEntry, n *ir.Network) (ir.Monitors, *ir.SpecError) {
	var mon ir.Monitors
	m, e := p.mapping(en.value, "monitors", en.keyLine, false)
	if e != nil {
		return mon, e
	}
	if e := p.checkKeys(m, monitorKeys); e != nil {
		return mon, e
	}
	if f := m.get("spikes"); f != nil && isMapping(f.value) {
		// {E: [0:100], I: all}: populations, each whole or in part.
		sm, e := p.mapping(f.value, "monitors.spikes", f.keyLine, false)
		if e != nil {
			return mon, e
		}
		for i := range sm.entries {
			se := &sm.entries[i]
			field := "monitors.spikes." + se.key
			p.lines[field] = se.keyLine
			p.lines[fmt.Sprintf("monitors.spikes[%d]", i)] = se.keyLine
			mon.Spikes = append(mon.Spikes, se.key)
			pop := popNamed(n, se.key)
			if pop == nil {
				continue // Validate names the unknown population
			}
			if sn, ok := se.value.(*ast.StringNode); ok && sn.Value == "all" {
				continue
			}
			idx, e := p.indices(se, field, pop.Size, "neuron")
			if e != nil {
				return mon, e
			}
			if mon.SpikeNeurons == nil {
				mon.SpikeNeurons = map[string][]int{}
			}
			mon.SpikeNeurons[se.key] = idx
		}
	} else if f != nil {
		items, lines, e := p.list(f, "monitors.spikes")
		if e != nil {
			return mon, e
		}
		for i, it := range items {
			name, e := p.str(it, lines[i], "monitors.spikes")
			if e != nil {
				return mon, e
			}
			mon.Spikes = append(mon.Spikes, name)
		}
	}
	if f := m.get("rates"); f != nil {
		rm, e := p.mapping(f.value, "monitors.rates", f.keyLine, false)
		if e != nil {
			return mon, e
		}
		mon.Rates = map[string]float64{}
		for i := range rm.entries {
			re := &rm.entries[i]
			field := "monitors.rates." + re.key
			p.lines[field] = re.keyLine
			if mon.Rates[re.key], e = p.quantity(re.value, re.line, field, ir.Time); e != nil {
				return mon, e
			}
		}
	}
	if f := m.get("every"); f != nil {
		p.lines["monitors.every"] = f.keyLine
		if mon.Every, e = p.quantity(f.value, f.line, "monitors.every", ir.Time); e != nil {
			return mon, e
		}
	}
	if f := m.get("fc"); f != nil {
		items, lines, e := p.list(f, "monitors.fc")
		if e != nil {
			return mon, e
		}
		for i, it := range items {
			name, e := p.str(it, lines[i], "monitors.fc")
			if e != nil {
				return mon, e
			}
			p.lines[fmt.Sprintf("monitors.fc[%d]", i)] = lines[i]
			mon.FC = append(mon.FC, name)
		}
	}
	for _, w := range []struct {
		key         string
		start, stop *float64
	}{{"window", &mon.Start, &mon.Stop}, {"traces_window", &mon.TraceStart, &mon.TraceStop}} {
		f := m.get(w.key)
		if f == nil {
			continue
		}
		field := "monitors." + w.key
		p.lines[field] = f.keyLine
		v, e := p.quantityList(f, field, ir.Time)
		if e != nil {
			return mon, e
		}
		if len(v) != 2 {
			return mon, p.errAt(f.line, field, "expected [start, stop] (e.g. [100 ms, 500 ms]), got %d values", len(v))
		}
		*w.start, *w.stop = v[0], v[1]
	}
	if f := m.get("traces"); f != nil {
		tm, e := p.mapping(f.value, "monitors.traces", f.keyLine, false)
		if e != nil {
			return mon, e
		}
		for i := range tm.entries {
			te := &tm.entries[i]
			field := "monitors.traces." + te.key
			p.lines[field] = te.keyLine
			pop, v, ok := strings.Cut(te.key, ".")
			if !ok || pop == "" || v == "" {
				return mon, p.errAt(te.keyLine, "monitors.traces", "trace key %q must be Population.Variable (e.g. \"E.V\")", te.key)
			}
			t := ir.Trace{Pop: pop, Var: v, Line: te.keyLine}
			size, err := n.TraceSize(pop, v)
			if err != nil {
				return mon, p.errAt(te.keyLine, field, "%v", err)
			}
			if t.Indices, e = p.indices(te, field, size, "neuron"); e != nil {
				return mon, e
			}
			mon.Traces = append(mon.Traces, t)
		}
	}
	return mon, nil
}

// maxIndexRange bounds a range of indices whose limit is known only once
// the network is lowered (a plastic projection's synapses).
const maxIndexRange = 1 << 24

// indices reads a list of what indices: "all" (size of them), or integers
// and half-open ranges "a:b" (a < b) side by side, e.g. [0:100, 250]. A
// range must lie within size (-1: size known only when the network is
// lowered; then "all" is refused and a range holds at most maxIndexRange).
// Single indices are checked later with their line.
func (p *specParser) indices(en *mapEntry, field string, size int, what string) ([]int, *ir.SpecError) {
	if sn, ok := en.value.(*ast.StringNode); ok && sn.Value == "all" {
		if size < 0 {
			return nil, p.errAt(en.line, field, "\"all\" needs the %s count, known only once the network is built: list the %s indices", what, what)
		}
		out := make([]int, size)
		for i := range out {
			out[i] = i
		}
		return out, nil
	}
	items, lines, e := p.list(en, field)
	if e != nil {
		return nil, e
	}
	var out []int
	for k, it := range items {
		text, isRange := "", false
		switch r := it.(type) {
		case *ast.StringNode: // "0:100"
			text, isRange = r.Value, strings.Contains(r.Value, ":")
		case *ast.MappingValueNode: // inside a flow mapping, 0:100 reads as a pair
			text, isRange = r.Key.String()+":"+r.Value.String(), true
		case *ast.MappingNode:
			if len(r.Values) == 1 {
				text, isRange = r.Values[0].Key.String()+":"+r.Values[0].Value.String(), true
			}
		}
		if isRange {
			a, b, ok := parseRange(text)
			limit := size
			if limit < 0 {
				limit = a + maxIndexRange
			}
			if !ok || a < 0 || b <= a || b > limit {
				return nil, p.errAt(lines[k], fmt.Sprintf("%s[%d]", field, k),
					"expected a range a:b of %s indices with 0 ≤ a < b ≤ %d, got %q", what, limit, text)
			}
			for i := a; i < b; i++ {
				out = append(out, i)
			}
			continue
		}
		idx, e := p.integer(it, lines[k], field)
		if e != nil {
			return nil, e
		}
		out = append(out, idx)
	}
	return out, nil
}

// parseRange reads "a:b" (non-negative integers).
func parseRange(s string) (a, b int, ok bool) {
	as, bs, found := strings.Cut(strings.TrimSpace(s), ":")
	if !found {
		return 0, 0, false
	}
	x, err1 := strconv.Atoi(strings.TrimSpace(as))
	y, err2 := strconv.Atoi(strings.TrimSpace(bs))
	return x, y, err1 == nil && err2 == nil
}

// list reads a list (a single scalar counts as a one-element list), records
// the line of each element under field[i] and returns the elements with
// their lines.
func (p *specParser) list(en *mapEntry, field string) ([]ast.Node, []int, *ir.SpecError) {
	var items []ast.Node
	switch v := en.value.(type) {
	case *ast.SequenceNode:
		items = v.Values
	case *ast.MappingNode, *ast.MappingValueNode:
		return nil, nil, p.errAt(en.line, field, "expected a list, got a mapping")
	default:
		if isNull(v) {
			return nil, nil, nil
		}
		items = []ast.Node{v}
	}
	out := make([]ast.Node, len(items))
	lines := make([]int, len(items))
	for i, it := range items {
		r, e := p.resolve(it, en.line, field)
		if e != nil {
			return nil, nil, e
		}
		out[i] = r
		lines[i] = lineOr(nodeLine(it), en.line)
		p.lines[fmt.Sprintf("%s[%d]", field, i)] = lines[i]
	}
	return out, lines, nil
}

// isMapping reports whether a node is a YAML mapping.
func isMapping(n ast.Node) bool {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return true
	}
	return false
}

// popNamed is the network's population of that name, or nil.
func popNamed(n *ir.Network, name string) *ir.Population {
	for _, p := range n.Populations {
		if p.Name == name {
			return p
		}
	}
	return nil
}
