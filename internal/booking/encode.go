package booking

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// The hold payload and the seat event are encoded on every hold. These appenders write exactly
// what encoding/json writes for them (TestEncodersMatchEncodingJSON), without its reflection,
// which cost a few percent of a hold's CPU.

// appendPayload appends the JSON of p.
func appendPayload(b []byte, p holdPayload) []byte {
	q := p.Quote
	b = append(b, `{"q":{"currency":`...)
	b = appendJSONString(b, q.Currency)
	b = append(b, `,"lines":`...)
	if q.Lines == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, l := range q.Lines {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"category":`...)
			b = appendJSONString(b, l.Category)
			b = append(b, `,"name":`...)
			b = appendJSONString(b, l.Name)
			b = append(b, `,"seatIds":`...)
			b = appendJSONStrings(b, l.SeatIDs)
			b = append(b, `,"unitPrice":`...)
			b = strconv.AppendInt(b, l.UnitPrice, 10)
			b = append(b, `,"quantity":`...)
			b = strconv.AppendInt(b, int64(l.Quantity), 10)
			b = append(b, `,"amount":`...)
			b = strconv.AppendInt(b, l.Amount, 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"subtotal":`...)
	b = strconv.AppendInt(b, q.Subtotal, 10)
	b = append(b, `,"fees":`...)
	b = strconv.AppendInt(b, q.Fees, 10)
	b = append(b, `,"taxes":`...)
	b = strconv.AppendInt(b, q.Taxes, 10)
	b = append(b, `,"total":`...)
	b = strconv.AppendInt(b, q.Total, 10)
	b = append(b, `},"c":"`...)
	b = p.CreatedAt.AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}`...)
}

// appendSeatEvent appends the JSON of e.
func appendSeatEvent(b []byte, e SeatEvent) []byte {
	b = append(b, `{"show":`...)
	b = appendJSONString(b, e.ShowID)
	b = append(b, `,"seats":`...)
	if e.Seats == nil {
		return append(b, "null}"...)
	}
	b = append(b, '[')
	for i, c := range e.Seats {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"s":`...)
		b = appendJSONString(b, c.SeatID)
		b = append(b, `,"st":`...)
		b = appendJSONString(b, string(c.Status))
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

func appendJSONStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONString appends s as a JSON string the way encoding/json does (HTML-safe, invalid
// UTF-8 replaced by U+FFFD, U+2028 and U+2029 escaped).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
