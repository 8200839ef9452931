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

func (n *Num) String() string  { return strconv.FormatFloat(n.Value, 'g', -1, 64) }
func (n *Name) String() string { return n.Name }
func (u *Unary) String() string {
	if u.Op == "not" {
		return "not " + u.X.String()
	}
	return u.Op + u.X.String()
}
func (b *Binary) String() string {
	switch b.Op {
	case "unit":
		return b.X.String() + " " + b.Y.String()
	case "**", "*", "/":
		return b.X.String() + b.Op + b.Y.String()
	}
	return "(" + b.X.String() + " " + b.Op + " " + b.Y.String() + ")"
}
func (c *Call) String() string {
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		args[i] = a.String()
	}
	return c.Fn + "(" + strings.Join(args, ", ") + ")"
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

// lex splits an expression into tokens.
func lex(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == ' ' || r == '\t':
			i += w
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
				return nil, fmt.Errorf("bad number %q", s[i:j])
			}
			out = append(out, token{kind: tokNum, text: s[i:j], num: v, pos: i})
			i = j
		case r == '_' || unicode.IsLetter(r):
			j := i
			for j < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[j:])
				if r2 != '_' && !unicode.IsLetter(r2) && !unicode.IsDigit(r2) {
					break
				}
				j += w2
			}
			out = append(out, token{kind: tokName, text: s[i:j], pos: i})
			i = j
		default:
			op := ""
			for _, o := range []string{"**", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=", "+", "-", "*", "/", "(", ")", ",", "<", ">", "="} {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return nil, fmt.Errorf("unexpected character %q", r)
			}
			out = append(out, token{kind: tokOp, text: op, pos: i})
			i += len(op)
		}
	}
	return append(out, token{kind: tokEOF, pos: len(s)}), nil
}

// parser is a precedence-climbing parser over tokens.
type parser struct {
	toks []token
	at   int
}

func (p *parser) peek() token { return p.toks[p.at] }
func (p *parser) next() token { t := p.toks[p.at]; p.at++; return t }

// is reports whether the next token is the operator or keyword text.
func (p *parser) is(text string) bool {
	t := p.peek()
	return (t.kind == tokOp || t.kind == tokName) && t.text == text
}

// ParseExpr parses an expression. Operators, loosest first: or; and; not;
// comparisons (< <= > >= == !=); + -; * /; unary - +; ** (right to left,
// binding tighter than a unary minus on its left: -x**2 is -(x**2)).
func ParseExpr(s string) (Expr, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if p.peek().kind == tokEOF {
		return nil, fmt.Errorf("empty expression")
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, fmt.Errorf("unexpected %q after %s", t.text, e)
	}
	return e, nil
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
					return nil, fmt.Errorf("chained comparison %s %s …: write (a %s b) and (b %s c)", (&Binary{Op: op, X: x, Y: y}), op2, op, op2)
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
		if nt := p.peek(); nt.kind == tokName && !keywords[nt.text] && p.toks[p.at+1].text != "(" {
			if _, _, ok := LookupUnit(nt.text); ok {
				p.next()
				return &Binary{Op: "unit", X: n, Y: &Name{Name: nt.text}}, nil
			}
			return nil, fmt.Errorf("%s %s: a number may be followed only by a unit (e.g. 30 mV); write %s*%s for a product", t.text, nt.text, t.text, nt.text)
		}
		return n, nil
	case tokName:
		if keywords[t.text] {
			return nil, fmt.Errorf("unexpected %q", t.text)
		}
		if p.is("(") {
			p.next()
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
						return nil, fmt.Errorf("missing argument after ',' in %s(…)", t.text)
					}
					continue
				}
				if !p.is(")") {
					return nil, fmt.Errorf("expected ',' or ')' in the arguments of %s, got %q", t.text, p.peek().text)
				}
			}
			p.next()
			return &Call{Fn: t.text, Args: args}, nil
		}
		return &Name{Name: t.text}, nil
	case tokOp:
		if t.text == "(" {
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
		return nil, fmt.Errorf("unexpected %q", t.text)
	}
	return nil, fmt.Errorf("unexpected end of expression")
}
