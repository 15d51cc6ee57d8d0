package payment

import (
	"strconv"
	"strings"
)

// ValidCurrency reports whether c looks like an ISO 4217 code: three upper-case ASCII letters.
func ValidCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := range 3 {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// minorDigits holds the ISO 4217 currencies whose minor unit is not a hundredth.
var minorDigits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
	"RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

// MinorUnitDigits returns how many decimal digits the minor unit of currency has: 2 for most
// (INR: paise), 0 for JPY, 3 for KWD.
func MinorUnitDigits(currency string) int {
	if d, ok := minorDigits[currency]; ok {
		return d
	}
	return 2
}

var symbols = map[string]string{"INR": "₹", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}

// FormatAmount formats amount minor units of currency for people: FormatAmount(100620, "INR") is
// "₹1,006.20" and FormatAmount(123456789, "INR") is "₹12,34,567.89" (Indian grouping, lakhs and
// crores); FormatAmount(1999, "USD") is "$19.99"; currencies without a common symbol are
// prefixed with their code ("AED 12.50").
func FormatAmount(amount int64, currency string) string {
	sign := ""
	u := uint64(amount)
	if amount < 0 {
		sign = "-"
		u = uint64(-amount) // two's complement: right for math.MinInt64 too
	}
	digits := MinorUnitDigits(currency)
	s := strconv.FormatUint(u, 10)
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	whole, frac := s[:len(s)-digits], s[len(s)-digits:]
	var b strings.Builder
	b.WriteString(sign)
	if sym, ok := symbols[currency]; ok {
		b.WriteString(sym)
	} else {
		b.WriteString(currency + " ")
	}
	b.WriteString(group(whole, currency == "INR"))
	if digits > 0 {
		b.WriteString("." + frac)
	}
	return b.String()
}

// group inserts thousands separators: every three digits, or in the Indian system three and then
// every two.
func group(whole string, indian bool) string {
	if len(whole) <= 3 {
		return whole
	}
	head, tail := whole[:len(whole)-3], whole[len(whole)-3:]
	step := 3
	if indian {
		step = 2
	}
	var parts []string
	for len(head) > step {
		parts = append([]string{head[len(head)-step:]}, parts...)
		head = head[:len(head)-step]
	}
	parts = append([]string{head}, parts...)
	return strings.Join(append(parts, tail), ",")
}
