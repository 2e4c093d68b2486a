package synapse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// jsonNode is a decoded JSON value that keeps object key order, as Python's
// json.loads does (dicts are ordered).
type jsonNode struct {
	kind  byte   // 'n' null, 't' true, 'f' false, '#' number, 's' string, '[' list, '{' dict
	text  string // number text or string value
	keys  []string
	items []jsonNode
}

// ErrJSON wraps JSON syntax errors met while printing JSON values.
var errJSONSyntax = errors.New("invalid JSON")

func parseOrderedJSON(data []byte) (jsonNode, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := parseNode(dec, 0)
	if err != nil {
		return jsonNode{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return jsonNode{}, fmt.Errorf("%w: %w: trailing data", ErrUnsupportedType, errJSONSyntax)
	}
	return n, nil
}

func parseNode(dec *json.Decoder, depth int) (jsonNode, error) {
	if depth > MaxDepth {
		return jsonNode{}, ErrTooDeep
	}
	tok, err := dec.Token()
	if err != nil {
		return jsonNode{}, fmt.Errorf("%w: %w: %v", ErrUnsupportedType, errJSONSyntax, err)
	}
	switch t := tok.(type) {
	case nil:
		return jsonNode{kind: 'n'}, nil
	case bool:
		if t {
			return jsonNode{kind: 't'}, nil
		}
		return jsonNode{kind: 'f'}, nil
	case json.Number:
		return jsonNode{kind: '#', text: string(t)}, nil
	case string:
		return jsonNode{kind: 's', text: t}, nil
	case json.Delim:
		switch t {
		case '[':
			n := jsonNode{kind: '['}
			for dec.More() {
				c, err := parseNode(dec, depth+1)
				if err != nil {
					return jsonNode{}, err
				}
				n.items = append(n.items, c)
			}
			if _, err := dec.Token(); err != nil {
				return jsonNode{}, fmt.Errorf("%w: %w: %v", ErrUnsupportedType, errJSONSyntax, err)
			}
			return n, nil
		case '{':
			n := jsonNode{kind: '{'}
			var pos map[string]int
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return jsonNode{}, fmt.Errorf("%w: %w: %v", ErrUnsupportedType, errJSONSyntax, err)
				}
				k, ok := kt.(string)
				if !ok {
					return jsonNode{}, fmt.Errorf("%w: %w: object key", ErrUnsupportedType, errJSONSyntax)
				}
				c, err := parseNode(dec, depth+1)
				if err != nil {
					return jsonNode{}, err
				}
				// Python dict semantics: a repeated key keeps its first
				// position and takes the last value.
				if pos == nil {
					pos = map[string]int{}
				}
				if i, dup := pos[k]; dup {
					n.items[i] = c
					continue
				}
				pos[k] = len(n.keys)
				n.keys = append(n.keys, k)
				n.items = append(n.items, c)
			}
			if _, err := dec.Token(); err != nil {
				return jsonNode{}, fmt.Errorf("%w: %w: %v", ErrUnsupportedType, errJSONSyntax, err)
			}
			return n, nil
		}
	}
	return jsonNode{}, fmt.Errorf("%w: %w: unexpected %v", ErrUnsupportedType, errJSONSyntax, tok)
}

// json prints the Python value of the JSON text data.
func (p *pyPrinter) json(data []byte, top bool) error {
	n, err := parseOrderedJSON(data)
	if err != nil {
		return err
	}
	return p.node(&n, top)
}

func (p *pyPrinter) node(n *jsonNode, top bool) error {
	switch n.kind {
	case 'n':
		p.buf = append(p.buf, "None"...)
	case 't':
		p.buf = append(p.buf, "True"...)
	case 'f':
		p.buf = append(p.buf, "False"...)
	case '#':
		return p.number(n.text)
	case 's':
		if top {
			p.buf = appendPyStrTop(p.buf, n.text)
		} else {
			p.buf = AppendQuoted(p.buf, n.text)
		}
	case '[':
		p.buf = append(p.buf, '[')
		for i := range n.items {
			if i > 0 {
				p.buf = append(p.buf, ", "...)
			}
			if err := p.node(&n.items[i], false); err != nil {
				return err
			}
		}
		p.buf = append(p.buf, ']')
	case '{':
		p.buf = append(p.buf, '{')
		for i := range n.items {
			if i > 0 {
				p.buf = append(p.buf, ", "...)
			}
			p.buf = AppendQuoted(p.buf, n.keys[i])
			p.buf = append(p.buf, ": "...)
			if err := p.node(&n.items[i], false); err != nil {
				return err
			}
		}
		p.buf = append(p.buf, '}')
	}
	return nil
}
