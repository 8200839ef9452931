package npyio

import (
	"fmt"
	"strconv"
	"strings"
)

// npyHeader is the decoded header dictionary of an NPY file.
type npyHeader struct {
	descr   string
	fortran bool
	shape   []int
}

// parseHeader decodes the Python dict literal that forms an NPY header, e.g.
// "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }". Only the
// literal forms that numpy writes for simple dtypes are understood: quoted
// strings, True/False and tuples of non-negative integers.
func parseHeader(s string) (npyHeader, error) {
	p := &headerParser{s: s}
	h, err := p.dict()
	if err != nil {
		// The header's text is not quoted whole: it may be 16 MiB of
		// anything after the magic.
		return npyHeader{}, fmt.Errorf("npyio: bad NPY header (%d bytes, expected a Python dict of descr, fortran_order and shape): %w", len(s), err)
	}
	return h, nil
}

// headerParser is a small recursive-descent parser over the header text.
type headerParser struct {
	s   string
	pos int
}

func (p *headerParser) skipSpace() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

// peek returns the next non-space byte, or 0 at the end of the input.
func (p *headerParser) peek() byte {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return 0
	}
	return p.s[p.pos]
}

func (p *headerParser) expect(c byte) error {
	if got := p.peek(); got != c {
		if got == 0 {
			return fmt.Errorf("expected %q at offset %d, found end of header", c, p.pos)
		}
		return fmt.Errorf("expected %q at offset %d, found %q", c, p.pos, got)
	}
	p.pos++
	return nil
}

func (p *headerParser) dict() (npyHeader, error) {
	var h npyHeader
	seen := map[string]bool{}
	if err := p.expect('{'); err != nil {
		return h, err
	}
	for p.peek() != '}' {
		key, err := p.str()
		if err != nil {
			return h, err
		}
		if err := p.expect(':'); err != nil {
			return h, err
		}
		switch key {
		case "descr":
			if c := p.peek(); c != '\'' && c != '"' {
				return h, fmt.Errorf("descr is not a simple type string (structured dtypes are not supported)")
			}
			h.descr, err = p.str()
		case "fortran_order":
			h.fortran, err = p.boolean()
		case "shape":
			h.shape, err = p.tuple()
		default:
			return h, fmt.Errorf("unexpected key %q", key)
		}
		if err != nil {
			return h, fmt.Errorf("%s: %w", key, err)
		}
		if seen[key] {
			return h, fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		if p.peek() != ',' {
			break
		}
		p.pos++
	}
	if err := p.expect('}'); err != nil {
		return h, err
	}
	if p.peek() != 0 {
		return h, fmt.Errorf("unexpected text after dict at offset %d", p.pos)
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("missing key %q", k)
		}
	}
	return h, nil
}

// str parses a single- or double-quoted string without escapes.
func (p *headerParser) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", fmt.Errorf("expected a quoted string at offset %d", p.pos)
	}
	end := strings.IndexByte(p.s[p.pos+1:], q)
	if end < 0 {
		return "", fmt.Errorf("unterminated string at offset %d", p.pos)
	}
	v := p.s[p.pos+1 : p.pos+1+end]
	if strings.IndexByte(v, '\\') >= 0 {
		return "", fmt.Errorf("escapes in strings are not supported (offset %d)", p.pos)
	}
	p.pos += end + 2
	return v, nil
}

func (p *headerParser) boolean() (bool, error) {
	p.skipSpace()
	for _, w := range []struct {
		text string
		val  bool
	}{{"True", true}, {"False", false}} {
		if strings.HasPrefix(p.s[p.pos:], w.text) {
			p.pos += len(w.text)
			return w.val, nil
		}
	}
	return false, fmt.Errorf("expected True or False at offset %d", p.pos)
}

// tuple parses a Python tuple of non-negative integers, such as (), (3,) or
// (2, 3). A trailing 'L' (Python 2 long) after a number is accepted.
func (p *headerParser) tuple() ([]int, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	dims := []int{}
	for p.peek() != ')' {
		start := p.pos
		for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			p.pos++
		}
		if start == p.pos {
			return nil, fmt.Errorf("expected a non-negative integer at offset %d", start)
		}
		d, err := strconv.Atoi(p.s[start:p.pos])
		if err != nil {
			return nil, fmt.Errorf("dimension %q: %w", p.s[start:p.pos], err)
		}
		dims = append(dims, d)
		if p.pos < len(p.s) && p.s[p.pos] == 'L' {
			p.pos++
		}
		if p.peek() != ',' {
			if len(dims) == 1 {
				// "(3)" is a parenthesised int in Python, not a tuple.
				return nil, fmt.Errorf("one-element tuple lacks trailing comma at offset %d", p.pos)
			}
			break
		}
		p.pos++
	}
	if err := p.expect(')'); err != nil {
		return nil, err
	}
	return dims, nil
}
