package eqs

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Expr is a parsed expression: a Num, Name, Unary, Binary or Call.
type Expr interface {
	// String writes the expression back, fully parenthesised where the
	// grouping is not the default.
	String() string
}

// Num is a number literal (dimensionless).
type Num struct {
	// Value is the literal's value.
	Value float64
}

// Name is an identifier: a state variable, parameter, subexpression,
// the input, a built-in (t, dt, pi, xi) or a unit (mV, ms, nS …).
type Name struct {
	// Name is the identifier as written.
	Name string
}

// Unary is a prefix operator applied to X: "-", "+" or "not".
type Unary struct {
	// Op is the operator.
	Op string
	// X is the operand.
	X Expr
}

// Binary is an infix operator: "+", "-", "*", "/", "**", "<", "<=", ">",
// ">=", "==", "!=", "and", "or"; "unit" is a number followed by a unit
// ("30 mV"), a product that only units may make.
type Binary struct {
	// Op is the operator.
	Op string
	// X and Y are the operands.
	X, Y Expr
}

// Call is a function applied to arguments (exp, log, sqrt, sin, cos, tan,
// tanh, abs, exprel, clip, where, min, max …, see functions).
type Call struct {
	// Fn is the function's name.
	Fn string
	// Args are its arguments.
	Args []Expr
}

func (n *Num) String() string   { return write(n, -1) }
func (n *Name) String() string  { return n.Name }
func (u *Unary) String() string { return write(u, -1) }
func (b *Binary) String() string {
	return write(b, -1)
}
func (c *Call) String() string { return write(c, -1) }

// write writes e back in one pass (a long sum in time linear in its
// length), stopping once more than limit bytes are written (limit < 0:
// no limit).
func write(e Expr, limit int) string {
	var b strings.Builder
	var walk func(Expr)
	walk = func(e Expr) {
		if limit >= 0 && b.Len() > limit {
			return
		}
		switch x := e.(type) {
		case *Num:
			b.WriteString(strconv.FormatFloat(x.Value, 'g', -1, 64))
		case *Name:
			b.WriteString(x.Name)
		case *Unary:
			b.WriteString(x.Op)
			if x.Op == "not" {
				b.WriteByte(' ')
			}
			walk(x.X)
		case *Binary:
			switch x.Op {
			case "unit":
				walk(x.X)
				b.WriteByte(' ')
				walk(x.Y)
			case "**", "*", "/":
				walk(x.X)
				b.WriteString(x.Op)
				walk(x.Y)
			default:
				b.WriteByte('(')
				walk(x.X)
				b.WriteString(" " + x.Op + " ")
				walk(x.Y)
				b.WriteByte(')')
			}
		case *Call:
			b.WriteString(x.Fn + "(")
			for i, a := range x.Args {
				if i > 0 {
					b.WriteString(", ")
				}
				walk(a)
			}
			b.WriteByte(')')
		}
	}
	walk(e)
	return b.String()
}

// token kinds.
const (
	tokEOF = iota
	tokNum
	tokName
	tokOp
)

type token struct {
	kind int
	text string
	num  float64
	pos  int // byte offset in the text
}

// Limits on one expression: its nesting (parentheses, function calls,
// prefix operators and powers, each one level) and its length in tokens.
// They bound the reader's recursion and the depth of every tree a walk
// over an expression meets, whatever the text.
const (
	// MaxNesting is the deepest nesting an expression may have.
	MaxNesting = 256
	// MaxTokens is the most tokens (numbers, names, operators) an
	// expression may hold.
	MaxTokens = 100_000
)

// lex splits an expression into tokens.
func lex(s string) ([]token, error) {
	l := &lexer{s: s}
	var out []token
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		if t.kind == tokEOF {
			return out, nil
		}
	}
}

// lexer reads an expression's tokens one at a time, so that the reader
// stops at the first error (or limit) without splitting the whole text.
type lexer struct {
	s     string
	i     int
	count int
}

// next returns the next token (tokEOF at the end).
func (l *lexer) next() (token, error) {
	if l.count++; l.count > MaxTokens+1 {
		return token{}, fmt.Errorf("the expression is longer than %d tokens", MaxTokens)
	}
	s := l.s
	for i := l.i; ; {
		if i >= len(s) {
			l.i = i
			return token{kind: tokEOF, pos: len(s)}, nil
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == ' ' || r == '\t':
			i += w
			continue
		case r >= '0' && r <= '9' || r == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
				k := j + 1
				if k < len(s) && (s[k] == '+' || s[k] == '-') {
					k++
				}
				if k < len(s) && s[k] >= '0' && s[k] <= '9' {
					for k < len(s) && s[k] >= '0' && s[k] <= '9' {
						k++
					}
					j = k
				}
			}
			v, err := strconv.ParseFloat(s[i:j], 64)
			if err != nil {
				return token{}, fmt.Errorf("bad number %q", clip(s[i:j], 60))
			}
			l.i = j
			return token{kind: tokNum, text: s[i:j], num: v, pos: i}, nil
		case r == '_' || unicode.IsLetter(r):
			j := i
			for j < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[j:])
				if r2 != '_' && !unicode.IsLetter(r2) && !unicode.IsDigit(r2) {
					break
				}
				j += w2
			}
			l.i = j
			return token{kind: tokName, text: s[i:j], pos: i}, nil
		default:
			op := ""
			for _, o := range []string{"**", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=", "+", "-", "*", "/", "(", ")", ",", "<", ">", "="} {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return token{}, fmt.Errorf("unexpected character %q", r)
			}
			l.i = i + len(op)
			return token{kind: tokOp, text: op, pos: i}, nil
		}
	}
}

// parser is a precedence-climbing parser over tokens read as it goes. Its
// recursion is bounded by MaxNesting: each level of nesting (a
// parenthesis, a call, a prefix operator, a power's exponent) enters
// once.
type parser struct {
	lex   *lexer
	toks  []token // read ahead: toks[0] is the next token
	err   error   // the lexer's error, reported where it stops the parse
	depth int
}

// fill reads ahead until n tokens are buffered (or the end, or an error).
func (p *parser) fill(n int) {
	for len(p.toks) < n {
		if k := len(p.toks); k > 0 && p.toks[k-1].kind == tokEOF || p.err != nil {
			p.toks = append(p.toks, token{kind: tokEOF, pos: len(p.lex.s)})
			continue
		}
		t, err := p.lex.next()
		if err != nil {
			p.err = err
			t = token{kind: tokEOF, pos: len(p.lex.s)}
		}
		p.toks = append(p.toks, t)
	}
}

func (p *parser) peek() token { p.fill(1); return p.toks[0] }

// peek2 is the token after the next.
func (p *parser) peek2() token { p.fill(2); return p.toks[1] }

func (p *parser) next() token { t := p.peek(); p.toks = p.toks[1:]; return t }

// enter counts one level of nesting; leave undoes it.
func (p *parser) enter() error {
	if p.depth++; p.depth > MaxNesting {
		return fmt.Errorf("the expression nests deeper than %d levels (parentheses, calls, signs and powers)", MaxNesting)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// is reports whether the next token is the operator or keyword text.
func (p *parser) is(text string) bool {
	t := p.peek()
	return (t.kind == tokOp || t.kind == tokName) && t.text == text
}

// ParseExpr parses an expression. Operators, loosest first: or; and; not;
// comparisons (< <= > >= == !=); + -; * /; unary - +; ** (right to left,
// binding tighter than a unary minus on its left: -x**2 is -(x**2)).
func ParseExpr(s string) (Expr, error) {
	p := &parser{lex: &lexer{s: s}}
	e, err := p.parse()
	if p.err != nil { // the lexer's error is the first thing wrong
		return nil, p.err
	}
	return e, err
}

func (p *parser) parse() (Expr, error) {
	if p.peek().kind == tokEOF {
		return nil, fmt.Errorf("empty expression")
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, fmt.Errorf("unexpected %q after %s", clip(t.text, 60), short(e))
	}
	return e, nil
}

// short writes an expression for a message, cut to a few dozen
// characters.
func short(e Expr) string {
	return clip(write(e, 64), 60)
}

// clip cuts s to about n bytes (at a character's start), marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	k := n - 3
	for k > 0 && !utf8.RuneStart(s[k]) {
		k--
	}
	return s[:k] + "…"
}

func (p *parser) or() (Expr, error) {
	return p.leftAssoc(p.and, "or")
}

func (p *parser) and() (Expr, error) {
	return p.leftAssoc(p.not, "and")
}

func (p *parser) not() (Expr, error) {
	if p.is("not") {
		p.next()
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &Unary{Op: "not", X: x}, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (Expr, error) {
	x, err := p.sum()
	if err != nil {
		return nil, err
	}
	for _, op := range []string{"<=", ">=", "==", "!=", "<", ">"} {
		if p.is(op) {
			p.next()
			y, err := p.sum()
			if err != nil {
				return nil, err
			}
			for _, op2 := range []string{"<=", ">=", "==", "!=", "<", ">"} {
				if p.is(op2) {
					return nil, fmt.Errorf("chained comparison %s %s …: write (a %s b) and (b %s c)", short(&Binary{Op: op, X: x, Y: y}), op2, op, op2)
				}
			}
			return &Binary{Op: op, X: x, Y: y}, nil
		}
	}
	if p.is("=") {
		return nil, fmt.Errorf("'=' in an expression: write == to compare")
	}
	return x, nil
}

func (p *parser) sum() (Expr, error) {
	return p.leftAssoc(p.product, "+", "-")
}

func (p *parser) product() (Expr, error) {
	return p.leftAssoc(p.unary, "*", "/")
}

// leftAssoc parses operands of sub joined by any of ops, left to right.
func (p *parser) leftAssoc(sub func() (Expr, error), ops ...string) (Expr, error) {
	x, err := sub()
	if err != nil {
		return nil, err
	}
	for {
		op := ""
		for _, o := range ops {
			if p.is(o) {
				op = o
			}
		}
		if op == "" {
			return x, nil
		}
		p.next()
		y, err := sub()
		if err != nil {
			return nil, err
		}
		x = &Binary{Op: op, X: x, Y: y}
	}
}

func (p *parser) unary() (Expr, error) {
	if p.is("-") || p.is("+") {
		op := p.next().text
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &Unary{Op: op, X: x}, nil
	}
	return p.power()
}

func (p *parser) power() (Expr, error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	if p.is("**") {
		p.next()
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		y, err := p.unary() // right-associative; 2**-1 allowed
		if err != nil {
			return nil, err
		}
		return &Binary{Op: "**", X: x, Y: y}, nil
	}
	return x, nil
}

// keywords may not be used as names.
var keywords = map[string]bool{"and": true, "or": true, "not": true}

func (p *parser) primary() (Expr, error) {
	t := p.next()
	switch t.kind {
	case tokNum:
		n := &Num{Value: t.num}
		// "30 mV": a number followed by a unit's name.
		if nt := p.peek(); nt.kind == tokName && !keywords[nt.text] && p.peek2().text != "(" {
			if _, _, ok := LookupUnit(nt.text); ok {
				p.next()
				return &Binary{Op: "unit", X: n, Y: &Name{Name: nt.text}}, nil
			}
			return nil, fmt.Errorf("%s %s: a number may be followed only by a unit (e.g. 30 mV); write %s*%s for a product", clip(t.text, 30), clip(nt.text, 30), clip(t.text, 30), clip(nt.text, 30))
		}
		return n, nil
	case tokName:
		if keywords[t.text] {
			return nil, fmt.Errorf("unexpected %q", clip(t.text, 60))
		}
		if p.is("(") {
			p.next()
			if err := p.enter(); err != nil {
				return nil, err
			}
			defer p.leave()
			var args []Expr
			for !p.is(")") {
				a, err := p.or()
				if err != nil {
					return nil, err
				}
				args = append(args, a)
				if p.is(",") {
					p.next()
					if p.is(")") {
						return nil, fmt.Errorf("missing argument after ',' in %s(…)", clip(t.text, 60))
					}
					continue
				}
				if !p.is(")") {
					return nil, fmt.Errorf("expected ',' or ')' in the arguments of %s, got %q", clip(t.text, 60), clip(p.peek().text, 60))
				}
			}
			p.next()
			return &Call{Fn: t.text, Args: args}, nil
		}
		return &Name{Name: t.text}, nil
	case tokOp:
		if t.text == "(" {
			if err := p.enter(); err != nil {
				return nil, err
			}
			defer p.leave()
			x, err := p.or()
			if err != nil {
				return nil, err
			}
			if !p.is(")") {
				return nil, fmt.Errorf("missing ')'")
			}
			p.next()
			return x, nil
		}
		return nil, fmt.Errorf("unexpected %q", clip(t.text, 60))
	}
	return nil, fmt.Errorf("unexpected end of expression")
}
