package eqs

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Source is an equation model as a spec writes it.
type Source struct {
	// Equations holds one equation per line (blank lines and # comments
	// are skipped):
	//
	//	dv/dt = (v_rest - v + R*I)/tau : mV (unless refractory)   differential equation
	//	I_leak = g_L*(E_L - v) : mV/ms                            subexpression
	//	tau : ms                                                  parameter (declares its dimension)
	//	I : mV/ms                                                 the input's dimension (else inferred)
	Equations string
	// Threshold is the spike condition, e.g. "v >= 30 mV" ("" for a model
	// that does not spike).
	Threshold string
	// Reset holds the statements run on a spike, one per line or separated
	// by ";": "v = c", "u += d" (=, +=, -=, *=, /=). Without a reset a spike
	// is the threshold condition becoming true in a step.
	Reset string
	// Refractory is the time after a spike during which no spike is
	// detected and variables marked (unless refractory) are held, e.g.
	// "5 ms" ("" for none).
	Refractory string
	// Params gives the parameters' values, e.g. {a, "0.02/ms"}, in order.
	Params []ParamSource
}

// ParamSource is one parameter's value as written: a number with units.
type ParamSource struct {
	// Name is the parameter's name, Text its value ("-65 mV", "0.2/ms").
	Name, Text string
}

// Error is a problem in one part of a Source.
type Error struct {
	// Part is "equations", "threshold", "reset", "refractory" or
	// "params.<name>".
	Part string
	// Line is the line within the part (from 1; 0 when the part as a whole
	// is at fault).
	Line int
	// Text is the equation or statement at fault ("" for none).
	Text string
	// Msg says what is wrong.
	Msg string
}

// Error writes the equation at fault and the message.
func (e *Error) Error() string {
	if e.Text != "" {
		// A long line is named by its start.
		return fmt.Sprintf("in %q: %s", clip(e.Text, 80), e.Msg)
	}
	return e.Msg
}

// EquationKind says what an equation defines.
type EquationKind int

// Kinds of equations.
const (
	// Differential is dx/dt = f : unit.
	Differential EquationKind = iota
	// Subexpression is x = f : unit.
	Subexpression
	// Declaration is x : unit (a parameter's or the input's dimension).
	Declaration
)

// Equation is one line of a model's equations.
type Equation struct {
	// Kind says what it defines; Var is the variable.
	Kind EquationKind
	Var  string
	// Expr is the right side (nil for a declaration).
	Expr Expr
	// Dim is the variable's dimension (its unit's).
	Dim Dim
	// UnlessRefractory holds the variable during the refractory period.
	UnlessRefractory bool
	// Side is "pre" or "post" for a plasticity trace kept per presynaptic
	// or postsynaptic neuron (flags (pre), (post)), else "".
	Side string
	// Drive is ClockDriven or EventDriven for a plasticity rule's
	// variable kept per synapse (Brian2's flags of the same names), else
	// "".
	Drive string
	// Noisy is set when the right side holds xi (white noise): it is then
	// linear in xi, integrated by Euler–Maruyama.
	Noisy bool
	// Line is the equation's line in Source.Equations (from 1), Text the
	// line as written.
	Line int
	Text string
}

// Statement is one reset statement: Var Op Expr.
type Statement struct {
	// Var is the state variable assigned; Op is "=", "+=", "-=", "*=" or
	// "/=".
	Var, Op string
	// Expr is the right side.
	Expr Expr
	// Line and Text place the statement in Source.Reset.
	Line int
	Text string
}

// Neuron is a checked equation model of a neuron.
type Neuron struct {
	// States are the differential equations, in the order written.
	States []Equation
	// Subs are the subexpressions, each after those it uses.
	Subs []Equation
	// Params are the parameters' names, in the order given, and Values
	// their values in coherent units; Dims their dimensions.
	Params []string
	Values map[string]float64
	Dims   map[string]Dim
	// Threshold is the spike condition (nil: the model does not spike).
	Threshold Expr
	// Reset are the statements run on a spike, in order.
	Reset []Statement
	// Refractory is the refractory period in ms (0: none).
	Refractory float64
	// UsesInput is set when the equations read the input InputName, of
	// dimension InputDim.
	UsesInput bool
	InputDim  Dim
	// Potential is the first state of voltage dimension, which
	// conductance-based outputs read ("" when there is none).
	Potential string
	// Key identifies the model's equations, threshold, reset and
	// refractory period (not its parameters' values): populations with
	// equal keys run the same code.
	Key string
}

// InputName is the name of a model's input: the sum of its synaptic
// outputs and its external input.
const InputName = "I"

// reserved names may not be defined by a model.
var reserved = map[string]string{
	"t": "the time", "dt": "the time step", "pi": "π", "xi": "white noise", "and": "a keyword", "or": "a keyword", "not": "a keyword",
}

// noiseDim is the dimension of xi: time^-1/2.
var noiseDim, _ = Time.Pow(-1, 2)

// ParseNeuron reads and checks a neuron model. Errors are *Error.
func ParseNeuron(src Source) (*Neuron, error) {
	sys, err := parseSystem(src.Equations, src.Params, map[string]Symbol{
		"t": {Kind: Builtin, Dim: Time}, "dt": {Kind: Builtin, Dim: Time}, "pi": {Kind: Builtin},
		"xi": {Kind: Noise, Dim: noiseDim}, InputName: {Kind: Input},
	}, InputName)
	if err != nil {
		return nil, err
	}
	if err := noSides(sys); err != nil {
		return nil, err
	}
	n := &Neuron{States: sys.states, Subs: sys.subs, Params: sys.params, Values: sys.values, Dims: sys.dims}
	for _, eq := range n.States {
		if n.Potential == "" && eq.Dim == Voltage {
			n.Potential = eq.Var
		}
	}
	c, used, eqs := sys.c, sys.used, sys.eqs
	c.noiseOK = false
	if strings.TrimSpace(src.Threshold) != "" {
		e, err := ParseExpr(src.Threshold)
		if err == nil {
			var k kind
			if k, err = c.check(e); err == nil && !k.boolean {
				err = fmt.Errorf("expected a condition (e.g. v > -50 mV), got a number of dimension %s", c.show(k))
			}
		}
		if err != nil {
			return nil, &Error{Part: "threshold", Text: src.Threshold, Msg: err.Error()}
		}
		if err := c.fault(e); err != nil {
			return nil, &Error{Part: "threshold", Text: src.Threshold, Msg: err.Error()}
		}
		n.Threshold = e
		for _, name := range names(e) {
			used[name] = true
		}
	}
	if n.Reset, err = parseReset(src.Reset, c); err != nil {
		return nil, err
	}
	if len(n.Reset) > 0 && n.Threshold == nil {
		return nil, &Error{Part: "reset", Msg: "a reset needs a threshold"}
	}
	for _, st := range n.Reset {
		for _, name := range names(st.Expr) {
			used[name] = true
		}
	}
	if strings.TrimSpace(src.Refractory) != "" {
		v, d, err := ParseQuantity(src.Refractory)
		switch {
		case err != nil:
			return nil, &Error{Part: "refractory", Text: src.Refractory, Msg: err.Error()}
		case d != Time:
			return nil, &Error{Part: "refractory", Text: src.Refractory, Msg: fmt.Sprintf("expected a time (e.g. 5 ms), got dimension %s", d)}
		case !(v >= 0) || math.IsInf(v, 0):
			return nil, &Error{Part: "refractory", Text: src.Refractory, Msg: "must be a finite time ≥ 0"}
		}
		if v > 0 && n.Threshold == nil {
			return nil, &Error{Part: "refractory", Msg: "a refractory period needs a threshold"}
		}
		n.Refractory = v
	}
	if len(n.States) == 0 {
		return nil, &Error{Part: "equations", Msg: "no differential equation (dx/dt = … : unit)"}
	}
	for _, p := range n.Params {
		if !used[p] {
			return nil, &Error{Part: "params." + p, Msg: fmt.Sprintf("parameter %s is not used by the equations, threshold or reset", p)}
		}
	}
	var key strings.Builder
	for _, eq := range eqs {
		fmt.Fprintf(&key, "%s;", eq.Text)
	}
	fmt.Fprintf(&key, "|%s|", strings.TrimSpace(src.Threshold))
	for _, st := range n.Reset {
		fmt.Fprintf(&key, "%s;", st.Text)
	}
	fmt.Fprintf(&key, "|%g", n.Refractory)
	n.Key = key.String()
	n.UsesInput = used[InputName]
	if n.UsesInput {
		if c.inputDim == nil {
			return nil, &Error{Part: "equations", Msg: fmt.Sprintf("the dimension of the input %s cannot be inferred: declare it on a line of its own (e.g. %s : mV/ms)", InputName, InputName)}
		}
		n.InputDim = *c.inputDim
	}
	return n, nil
}

// sortedByLine lists the declared names in the order of their lines.
func sortedByLine(declared map[string]Equation) []string {
	var out []string
	for name := range declared {
		out = append(out, name)
	}
	slices.SortFunc(out, func(a, b string) int { return declared[a].Line - declared[b].Line })
	return out
}

// system is a checked set of equations with its parameters: what neuron
// and synapse models share.
type system struct {
	c            *checker
	eqs          []Equation
	states, subs []Equation
	params       []string
	values       map[string]float64
	dims         map[string]Dim
	used         map[string]bool
}

// noSides refuses the flags of plasticity rules ((pre), (post),
// (clock-driven), (event-driven)) outside them.
func noSides(sys *system) error {
	for _, eq := range sys.states {
		if eq.Side != "" {
			return &Error{Part: "equations", Line: eq.Line, Text: eq.Text, Msg: fmt.Sprintf("(%s) marks a plasticity trace; it has no meaning here", eq.Side)}
		}
		if eq.Drive != "" {
			return &Error{Part: "equations", Line: eq.Line, Text: eq.Text, Msg: fmt.Sprintf("(%s) marks a plasticity rule's variable kept per synapse; it has no meaning here", eq.Drive)}
		}
	}
	return nil
}

// parseSystem reads and checks equations and their parameters; syms are
// the built-in names, input the name whose dimension is inferred (or
// declared).
func parseSystem(text string, params []ParamSource, syms map[string]Symbol, input string) (*system, error) {
	eqs, declared, err := parseEquations(text)
	if err != nil {
		return nil, err
	}
	sys := &system{eqs: eqs, values: map[string]float64{}, dims: map[string]Dim{}, used: map[string]bool{}}
	external := map[string]bool{} // the caller's names (a rule's modulators may be declared)
	for name := range syms {
		external[name] = true
	}
	c := &checker{syms: syms, input: input}
	sys.c = c
	if d, ok := declared[input]; ok {
		c.inputDim = &d.Dim
	}
	for _, eq := range eqs {
		switch eq.Kind {
		case Differential:
			c.syms[eq.Var] = Symbol{Kind: State, Dim: eq.Dim}
		case Subexpression:
			c.syms[eq.Var] = Symbol{Kind: Sub, Dim: eq.Dim}
		}
	}
	// Parameters: their values' dimensions, checked against declarations.
	for _, ps := range params {
		part := "params." + ps.Name
		if _, dup := sys.values[ps.Name]; dup {
			return nil, &Error{Part: part, Msg: fmt.Sprintf("parameter %s is given twice", ps.Name)}
		}
		if s, ok := c.syms[ps.Name]; ok || reserved[ps.Name] != "" {
			what := reserved[ps.Name]
			if ok {
				what = map[SymbolKind]string{State: "a state variable", Sub: "a subexpression", Input: "the input", Builtin: "a built-in name", Noise: "white noise"}[s.Kind]
			}
			return nil, &Error{Part: part, Msg: fmt.Sprintf("%s is %s, not a parameter", ps.Name, what)}
		}
		v, d, err := ParseQuantity(ps.Text)
		if err != nil {
			return nil, &Error{Part: part, Text: ps.Text, Msg: err.Error()}
		}
		if decl, ok := declared[ps.Name]; ok && decl.Dim != d {
			return nil, &Error{Part: part, Text: ps.Text, Msg: fmt.Sprintf("dimensions disagree: %s is declared %s (line %d) but its value %s is %s", ps.Name, decl.Dim, decl.Line, ps.Text, d)}
		}
		if _, dup := sys.values[ps.Name]; dup {
			return nil, &Error{Part: part, Msg: fmt.Sprintf("parameter %s is given twice", ps.Name)}
		}
		sys.params = append(sys.params, ps.Name)
		sys.values[ps.Name], sys.dims[ps.Name] = v, d
		c.syms[ps.Name] = Symbol{Kind: Param, Dim: d}
	}
	for _, name := range sortedByLine(declared) {
		decl := declared[name]
		if external[name] {
			continue
		}
		if _, ok := sys.values[name]; !ok && name != input {
			return nil, &Error{Part: "equations", Line: decl.Line, Text: decl.Text, Msg: fmt.Sprintf("parameter %s is declared but given no value (params: {%s: …})", name, name)}
		}
	}
	c.values = sys.values
	at := func(eq Equation, err error) error {
		return &Error{Part: "equations", Line: eq.Line, Text: eq.Text, Msg: err.Error()}
	}
	// Subexpressions in dependency order, each checked against its unit.
	subs := map[string]Equation{}
	for _, eq := range eqs {
		if eq.Kind == Subexpression {
			subs[eq.Var] = eq
		}
	}
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(eq Equation, path []string) error
	visit = func(eq Equation, path []string) error {
		switch state[eq.Var] {
		case 1:
			return at(eq, fmt.Errorf("subexpressions depend on each other in a cycle: %s", strings.Join(append(path, eq.Var), " → ")))
		case 2:
			return nil
		}
		state[eq.Var] = 1
		for _, name := range names(eq.Expr) {
			if dep, ok := subs[name]; ok {
				if err := visit(dep, append(path, eq.Var)); err != nil {
					return err
				}
			}
		}
		state[eq.Var] = 2
		sys.subs = append(sys.subs, eq)
		return nil
	}
	for _, eq := range eqs {
		if eq.Kind == Subexpression {
			if err := visit(eq, nil); err != nil {
				return nil, err
			}
		}
	}
	for _, eq := range eqs {
		if eq.Kind == Declaration {
			continue
		}
		want := eq.Dim
		c.noiseOK = eq.Kind == Differential
		if eq.Kind == Differential {
			want = eq.Dim.Div(Time)
			deg, err := xiDegree(eq.Expr)
			if err != nil {
				return nil, at(eq, err)
			}
			eq.Noisy = deg == 1
		}
		k, err := c.check(eq.Expr)
		if err != nil {
			return nil, at(eq, err)
		}
		if k.boolean {
			return nil, at(eq, fmt.Errorf("the right side is a condition, expected a number of dimension %s", want))
		}
		if !c.same(k, kind{d: want}) {
			lhs := eq.Var
			if eq.Kind == Differential {
				lhs = "d" + eq.Var + "/dt"
			}
			return nil, at(eq, &dimensionError{what: "the right side", have: c.show(k), want: want.String() + " (the dimension of " + lhs + ")"})
		}
		if err := c.fault(eq.Expr); err != nil {
			return nil, at(eq, err)
		}
		for _, name := range names(eq.Expr) {
			sys.used[name] = true
		}
		if eq.Kind == Differential {
			sys.states = append(sys.states, eq)
		}
	}
	c.noiseOK = false
	return sys, nil
}

// parseEquations splits the equations into lines and parses each. It also
// returns the declarations by name.
func parseEquations(text string) ([]Equation, map[string]Equation, error) {
	var eqs []Equation
	declared := map[string]Equation{}
	defined := map[string]int{}
	for i, line := range lines(text) {
		if line == "" {
			continue
		}
		eq, err := parseEquation(line)
		if err != nil {
			return nil, nil, &Error{Part: "equations", Line: i + 1, Text: line, Msg: err.Error()}
		}
		eq.Line, eq.Text = i+1, line
		if what := reserved[eq.Var]; what != "" {
			return nil, nil, &Error{Part: "equations", Line: i + 1, Text: line, Msg: fmt.Sprintf("%s is %s and cannot be defined", eq.Var, what)}
		}
		if eq.Var == InputName && eq.Kind != Declaration {
			return nil, nil, &Error{Part: "equations", Line: i + 1, Text: line, Msg: fmt.Sprintf("%s is the input (synaptic and external currents) and cannot be defined; declare only its unit (%s : unit)", InputName, InputName)}
		}
		if prev, ok := defined[eq.Var]; ok {
			return nil, nil, &Error{Part: "equations", Line: i + 1, Text: line, Msg: fmt.Sprintf("%s is already defined on line %d", eq.Var, prev)}
		}
		defined[eq.Var] = i + 1
		if eq.Kind == Declaration {
			declared[eq.Var] = eq
		}
		eqs = append(eqs, eq)
	}
	if len(eqs) == 0 {
		return nil, nil, &Error{Part: "equations", Msg: "no equations given"}
	}
	return eqs, declared, nil
}

// parseEquation reads "dx/dt = f : unit (flags)", "x = f : unit" or
// "x : unit".
func parseEquation(line string) (Equation, error) {
	var eq Equation
	body, flags := line, ""
	if strings.HasSuffix(line, ")") {
		if k := matchingOpen(line); k > 0 && strings.Contains(line[:k], ":") && !strings.Contains(line[strings.LastIndex(line[:k], ":"):k], "(") {
			body, flags = strings.TrimSpace(line[:k]), strings.TrimSpace(line[k+1:len(line)-1])
		}
	}
	colon := strings.LastIndex(body, ":")
	if colon < 0 {
		return eq, fmt.Errorf("missing the unit: end the equation with \": unit\" (e.g. : mV, or : 1 for none)")
	}
	unitText := strings.TrimSpace(body[colon+1:])
	d, err := ParseUnit(unitText)
	if err != nil {
		return eq, fmt.Errorf("unit %q: %v", clip(unitText, 80), err)
	}
	eq.Dim = d
	for _, f := range strings.Split(flags, ",") {
		switch strings.TrimSpace(f) {
		case "":
		case "unless refractory":
			eq.UnlessRefractory = true
		case "pre", "post":
			eq.Side = strings.TrimSpace(f)
		case ClockDriven, EventDriven:
			eq.Drive = strings.TrimSpace(f)
		default:
			return eq, fmt.Errorf("unknown flag %q (known: unless refractory; pre, post, clock-driven and event-driven for plasticity rules)", clip(strings.TrimSpace(f), 60))
		}
	}
	if eq.Side != "" && eq.Drive != "" {
		return eq, fmt.Errorf("(%s) keeps a variable per neuron and (%s) one per synapse: give one of them", eq.Side, eq.Drive)
	}
	lhs, rhs, isEq := strings.Cut(body[:colon], "=")
	lhs = strings.TrimSpace(lhs)
	if !isEq {
		if !isIdent(lhs) {
			return eq, fmt.Errorf("expected a name before \":\" in a declaration, got %q", clip(lhs, 80))
		}
		if eq.UnlessRefractory || eq.Drive != "" {
			return eq, fmt.Errorf("(%s) applies to differential equations only", flags)
		}
		eq.Kind, eq.Var = Declaration, lhs
		return eq, nil
	}
	if strings.HasPrefix(lhs, "d") && strings.HasSuffix(strings.ReplaceAll(lhs, " ", ""), "/dt") {
		eq.Kind, eq.Var = Differential, strings.TrimSpace(strings.TrimSuffix(strings.ReplaceAll(lhs[1:], " ", ""), "/dt"))
	} else {
		eq.Kind, eq.Var = Subexpression, lhs
		if eq.UnlessRefractory || eq.Side != "" || eq.Drive != "" {
			return eq, fmt.Errorf("(%s) applies to differential equations only", flags)
		}
	}
	if !isIdent(eq.Var) {
		return eq, fmt.Errorf("expected dx/dt = … or x = … on the left, got %q", clip(lhs, 80))
	}
	if eq.Expr, err = ParseExpr(rhs); err != nil {
		return eq, err
	}
	return eq, nil
}

// matchingOpen is the index of the "(" matching the ")" ending s (-1 when
// unbalanced).
func matchingOpen(s string) int {
	depth := 0
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func isIdent(s string) bool {
	toks, err := lex(s)
	return err == nil && len(toks) == 2 && toks[0].kind == tokName && !keywords[s]
}

// lines splits text into its lines, each without its # comment and
// trimmed (blank lines kept, so indices are line numbers − 1).
func lines(text string) []string {
	out := strings.Split(text, "\n")
	for i, line := range out {
		if k := strings.IndexByte(line, '#'); k >= 0 {
			line = line[:k]
		}
		out[i] = strings.TrimSpace(line)
	}
	return out
}

// parseReset reads the reset statements.
func parseReset(text string, c *checker) ([]Statement, error) {
	var out []Statement
	for i, raw := range lines(text) {
		for _, line := range strings.Split(raw, ";") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			st, err := parseStatement(line, c)
			if err != nil {
				return nil, &Error{Part: "reset", Line: i + 1, Text: line, Msg: err.Error()}
			}
			st.Line, st.Text = i+1, line
			out = append(out, st)
		}
	}
	return out, nil
}

func parseStatement(line string, c *checker) (Statement, error) {
	var st Statement
	var toks []token
	l := &lexer{s: line}
	for range 3 { // v op first-token: the rest is the expression's
		t, err := l.next()
		if err != nil {
			return st, err
		}
		toks = append(toks, t)
	}
	var err error
	if toks[2].kind == tokEOF || toks[0].kind != tokName || toks[1].kind != tokOp || !slices.Contains([]string{"=", "+=", "-=", "*=", "/="}, toks[1].text) {
		return st, fmt.Errorf("expected an assignment: v = expression (or +=, -=, *=, /=)")
	}
	st.Var, st.Op = toks[0].text, toks[1].text
	if s, ok := c.syms[st.Var]; !ok || s.Kind != State {
		return st, fmt.Errorf("%s is not a state variable: a reset may assign only those (%s)", st.Var, strings.Join(c.stateNames(), ", "))
	}
	if st.Expr, err = ParseExpr(line[toks[2].pos:]); err != nil {
		return st, err
	}
	k, err := c.check(st.Expr)
	if err != nil {
		return st, err
	}
	want := c.syms[st.Var].Dim
	if st.Op == "*=" || st.Op == "/=" {
		want = Dimensionless
	}
	if k.boolean || !c.same(k, kind{d: want}) {
		return st, &dimensionError{what: "the right side", have: c.show(k), want: want.String() + fmt.Sprintf(" (for %s %s)", st.Var, st.Op)}
	}
	return st, c.statementFault(st)
}

// stateNames lists the model's state variables, sorted.
func (c *checker) stateNames() []string {
	var out []string
	for name, s := range c.syms {
		if s.Kind == State {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// names lists the names an expression reads, in order of appearance.
func names(e Expr) []string {
	var out []string
	var walk func(Expr)
	walk = func(e Expr) {
		switch x := e.(type) {
		case *Name:
			out = append(out, x.Name)
		case *Unary:
			walk(x.X)
		case *Binary:
			walk(x.X)
			if x.Op != "unit" {
				walk(x.Y)
			}
		case *Call:
			for _, a := range x.Args {
				walk(a)
			}
		}
	}
	walk(e)
	return out
}

// xiDegree is the degree of an expression in xi: 0 or 1, an error where xi
// appears other than as a factor of a term (inside a function, a power, a
// denominator, or squared).
func xiDegree(e Expr) (int, error) {
	switch x := e.(type) {
	case *Name:
		if x.Name == "xi" {
			return 1, nil
		}
	case *Unary:
		return xiDegree(x.X)
	case *Binary:
		a, err := xiDegree(x.X)
		if err != nil {
			return 0, err
		}
		b, err := xiDegree(x.Y)
		if err != nil {
			return 0, err
		}
		switch x.Op {
		case "+", "-":
			return max(a, b), nil
		case "*":
			if a+b > 1 {
				return 0, fmt.Errorf("%s: xi may appear only linearly (as a factor of a term)", short(x))
			}
			return a + b, nil
		case "/":
			if b > 0 {
				return 0, fmt.Errorf("%s: xi may not divide", short(x))
			}
			return a, nil
		default:
			if a+b > 0 {
				return 0, fmt.Errorf("%s: xi may appear only linearly (as a factor of a term)", short(x))
			}
		}
	case *Call:
		for _, a := range x.Args {
			if d, err := xiDegree(a); err != nil || d > 0 {
				return 0, fmt.Errorf("%s: xi may not appear inside a function", short(x))
			}
		}
	}
	return 0, nil
}

// ParseUnit reads a unit ("mV", "mV/ms", "nS*mV", "1", "ms**-1", "1/ms")
// and returns its dimension. The unit's size does not matter: a variable
// is stored in the coherent unit of its dimension.
func ParseUnit(s string) (Dim, error) {
	if strings.TrimSpace(s) == "" {
		return Dimensionless, fmt.Errorf("empty unit")
	}
	e, err := ParseExpr(s)
	if err != nil {
		return Dimensionless, err
	}
	_, d, err := fold(e, true)
	return d, err
}

// ParseQuantity reads a value with its units ("-65 mV", "0.02/ms",
// "8*mV/ms", "200 pF", "0.5") and returns it in coherent units with its
// dimension.
func ParseQuantity(s string) (float64, Dim, error) {
	e, err := ParseExpr(s)
	if err != nil {
		return 0, Dimensionless, err
	}
	v, d, err := fold(e, false)
	if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
		err = fmt.Errorf("%s is not a finite number", clip(s, 80))
	}
	return v, d, err
}

// ParseQuantityOf reads a value with its units that must have dimension
// d, in coherent units.
func ParseQuantityOf(s string, d Dim) (float64, error) {
	v, got, err := ParseQuantity(s)
	if err == nil && got != d {
		err = fmt.Errorf("dimensions disagree: %q is %s, expected %s", clip(s, 80), got, d)
	}
	return v, err
}

// fold evaluates an expression of numbers and units (unitOnly: numbers
// only as 1 or exponents).
func fold(e Expr, unitOnly bool) (float64, Dim, error) {
	switch x := e.(type) {
	case *Num:
		if unitOnly && x.Value != 1 {
			return 0, Dimensionless, fmt.Errorf("a unit holds no number but 1, got %s", short(x))
		}
		return x.Value, Dimensionless, nil
	case *Name:
		v, d, ok := LookupUnit(x.Name)
		if !ok {
			return 0, d, fmt.Errorf("unknown unit %q", clip(x.Name, 60))
		}
		return v, d, nil
	case *Unary:
		if x.Op == "not" || unitOnly {
			return 0, Dimensionless, fmt.Errorf("unexpected %q", x.Op)
		}
		v, d, err := fold(x.X, unitOnly)
		if x.Op == "-" {
			v = -v
		}
		return v, d, err
	case *Binary:
		if x.Op == "**" {
			v, d, err := fold(x.X, unitOnly)
			if err != nil {
				return 0, d, err
			}
			n, ok := constant(x.Y)
			if !ok || math.Abs(n*2-math.Round(n*2)) > 1e-12 {
				return 0, d, fmt.Errorf("%s: the exponent must be a number, a multiple of 1/2", short(x))
			}
			if !(math.Abs(n) <= MaxExponent) && d != Dimensionless {
				return 0, d, fmt.Errorf("%s: the exponent %g is outside ±%d", short(x), n, MaxExponent)
			}
			pd := d
			if d != Dimensionless {
				if pd, ok = d.Pow(int(math.Round(n*2)), 2); !ok {
					return 0, d, fmt.Errorf("%s has no dimension of whole or half exponents within ±%d", short(x), MaxExponent)
				}
			}
			return math.Pow(v, n), pd, nil
		}
		a, da, err := fold(x.X, unitOnly)
		if err != nil {
			return 0, da, err
		}
		b, db, err := fold(x.Y, unitOnly)
		if err != nil {
			return 0, db, err
		}
		switch x.Op {
		case "*", "unit", "/":
			d := da.Mul(db)
			if x.Op == "/" {
				d = da.Div(db)
			}
			if !d.Valid() {
				return 0, d, fmt.Errorf("%s: the dimension's exponents pass ±%d (a product or power of too many units)", short(x), MaxExponent)
			}
			if x.Op == "/" {
				return a / b, d, nil
			}
			return a * b, d, nil
		case "+", "-":
			if unitOnly {
				break
			}
			if da != db {
				return 0, da, fmt.Errorf("%s: dimensions disagree: %s is %s but %s is %s", short(x), short(x.X), da, short(x.Y), db)
			}
			if x.Op == "-" {
				b = -b
			}
			return a + b, da, nil
		}
		return 0, da, fmt.Errorf("unexpected %q in a quantity", x.Op)
	}
	return 0, Dimensionless, fmt.Errorf("expected a number with units, got %s", short(e))
}

// WithValues returns a copy of the model whose parameters take the values
// in v (coherent units) where v has them.
func (n *Neuron) WithValues(v map[string]float64) *Neuron {
	out := *n
	out.Values = withValues(n.Values, v)
	return &out
}
