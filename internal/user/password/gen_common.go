//go:build ignore

// gen_common writes common.txt, the bundled list of common passwords, from the patterns people
// reach for: well-known words and names (also Indian ones, and cinema ones for this site) with
// digits, years and symbols appended; keyboard walks; digit runs; simple substitutions. Only
// entries of at least password.MinLength characters are kept, since shorter ones fail the length
// rule anyway. Run with `go generate` in this directory.
package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode/utf8"
)

const minLength = 10

// words are base words, most common first: the first topWords also get years and leetspeak.
var words = strings.Fields(`
password qwerty iloveyou admin welcome letmein monkey dragon football baseball master sunshine
princess shadow superman batman trustno1 starwars abc123 login hello freedom whatever secret
computer internet michael jennifer jordan hunter ranger buster tigger charlie soccer hockey
cricket india bharat mumbai delhi krishna ganesh sachin rahul priya pooja changeme default
summer winter spring autumn flower love angel baby family friends google samsung apple iphone
chelsea arsenal liverpool barcelona manchester realmadrid mustang ferrari porsche mercedes
pokemon naruto spiderman ironman avengers matrix titanic cinema movie movies ticket marquee
popcorn theatre theater bollywood netflix india123 test testing guest user root administrator
pass passw0rd p@ssw0rd p@ssword qwertyui asdfgh zxcvbn killer jesus jesuschrist christ blessed
mother father sister brother daughter lovely lover forever happy smile beautiful sweety
sweetheart honey cookie chocolate pepper ginger butter cheese banana orange purple yellow
silver golden diamond crystal rainbow thunder lightning phoenix eagle falcon tiger lion panther
wolf shark cobra viper scorpion dolphin unicorn kitten puppy doggy kitty bubbles tinkerbell
hellokitty barbie mickey minnie donald garfield snoopy scooby shrek simpsons homer bart
harrypotter hogwarts gandalf frodo legolas zelda mario luigi sonic minecraft fortnite roblox
pubg freefire valorant counter warcraft starcraft diablo halo xbox playstation nintendo gamer
jaishreeram jaihind jaimatadi omsairam saibaba hanuman shiva durga lakshmi ganpati mahadev
vande mataram hindustan bengaluru bangalore chennai kolkata hyderabad pune ahmedabad jaipur
lucknow kanpur nagpur indore bhopal patna surat kerala punjab gujarat rajasthan tamilnadu
dhoni virat kohli rohit tendulkar shahrukh salman amitabh akshay hrithik ranbir deepika
katrina kareena aishwarya rajini rajinikanth vijay ajith prabhas mahesh allu
amit sunil anil suresh ramesh rajesh deepak ajay sanjay manoj ravi kumar sharma singh gupta
patel shah khan neha anjali sneha divya kavya aarti sonia simran preeti
ashley amanda nicole jessica daniel thomas robert william richard joseph david james john
matthew andrew joshua christopher anthony brandon justin taylor austin jasmine samantha
elizabeth hannah madison lauren brittany stephanie heather melissa michelle chicago newyork
london paris tokyo sydney toronto dallas boston texas california florida america canada
england germany france brazil mexico russia china japan pakistan nepal srilanka dubai
qazwsx qazwsxedc 1qaz2wsx zaq12wsx q1w2e3r4 1q2w3e4r qweasd qweasdzxc asdzxc zxcvbnm
asdfghjkl qwertyuiop poiuytrewq lkjhgfdsa mnbvcxz
`)

const topWords = 80

// commonSuffixes is how many of suffixes every word gets; the top words get them all.
const commonSuffixes = 26

var suffixes = []string{
	"", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789", "1234567890",
	"!", "!!", "!!!", "1!", "12!", "123!", "1234!", "@", "@1", "@12", "@123", "@1234", "@12345", "#1", "#123",
	"#1234", "$", "$123", "01", "007", "69", "786", "99", "000", "111", "1111", "321", "4321", "54321",
	"123123", "12341234", "2000", "1990", "11", "22", "13", "7", "77", "777", "_123", ".123", "-123",
	"123@", "@786", "abc", "abc123", "xyz", "qwerty", "love", "you", "me", "forever", "rocks",
}

var prefixes = []string{"my", "the", "ilove", "iam", "1", "123"}

var walks = strings.Fields(`
qwertyuiop qwertyuiop[] qwertyuiopasdfghjkl qwertyuiopasdfghjklzxcvbnm asdfghjkl asdfghjkl;
asdfghjkl;' zxcvbnm zxcvbnm,./ poiuytrewq lkjhgfdsa mnbvcxz qwerasdfzxcv qweasdzxc qazwsxedc
qazwsxedcrfv qazwsxedcrfvtgb 1qaz2wsx 1qaz2wsx3edc 1qaz2wsx3edc4rfv zaq12wsx zaq1xsw2 zaq1zaq1
!qaz@wsx !qaz2wsx q1w2e3r4 q1w2e3r4t5 q1w2e3r4t5y6 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y 1q2w3e4r5t6y7u
qwer1234 1234qwer qwert12345 12345qwert qwerty123456 123456qwerty qwe123qwe 123qweasd 123qweasdzxc
qweasd123 asdf1234 1234asdf zxcv1234 asdfqwer qwerasdf asdfjkl; qwertyuiop1 abcdefghij abcdefghijk
abcdefghijkl abcdefghijklmnopqrstuvwxyz abcd1234 abcde12345 a1b2c3d4e5 a1b2c3d4e5f6 abc123abc123
1a2b3c4d5e qwertzuiop azertyuiop ytrewq123 1qazxsw2 2wsx3edc 3edc4rfv 1234qwerasdf 1234qwerasdfzxcv
`)

var digitRuns = []string{
	"1234567890", "0123456789", "0987654321", "9876543210", "12345678910", "123456789012", "1234567890123",
	"1122334455", "1212121212", "1231231231", "1234512345", "123456123456", "111222333444", "1111122222",
	"147258369147", "1472583690", "1597534862", "7894561230", "7418529630", "9638527410", "3692581470",
	"0000011111", "1234554321", "1234567899", "12345678900", "2468013579", "1357924680", "13579246810",
	"9999999999", "1111111111", "0000000000", "1234567891", "12345123451", "0102030405", "010203040506",
}

var phrases = strings.Fields(`
iloveyou iloveyou1 iloveyou2 iloveyou123 iloveyoutoo iloveyouforever iloveyoubaby iloveyousomuch
iloveme iloveindia ilovemymom ilovemydad ilovemyfamily ilovegod ilovejesus ilovemovies ilovecinema
letmein letmein123 letmeinnow welcome123 welcome1234 welcometomarquee changeme changeme123
changemenow default123 temp1234 temporary temppassword testing123 test12345 test123456 testtest
testtesttest guest12345 user123456 admin12345 admin123456 adminadmin adminadmin123 administrator
administrator1 rootroot rootpassword passpass passpass123 passwordpassword password1password
qwertyqwerty qwerty12345 qwerty123456 qwerty1234567 asdfasdfasdf 123passwort passwort123
motdepasse motdepasse123 contrasena contrasena123 senha123456 parola12345 wachtwoord
secretpassword mysecretpassword supersecret supersecret123 topsecret topsecret123 nopassword
mypassword mypassword1 mypassword123 newpassword newpassword1 newpassword123 oldpassword
thisismypassword whatsmypassword forgotpassword passwordispassword strongpassword
securepassword verysecure verysecure123 notsecure unsecure fuckyou fuckyou123 fuckoff123
blink182 myspace1 linkedin facebook facebook123 instagram instagram123 youtube123 twitter123
whatsapp whatsapp123 gmail12345 yahoo12345 hotmail123 outlook123 microsoft microsoft123
windows10 windows11 windows123 ubuntu1234 linux12345 oracle1234 sqlserver database123
computer123 internet123 wireless12 wifipassword hotspot123 router1234 access1234 accessdenied
opensesame opensesame1 trustnoone whateverman nothing123 anything123 something123 everything
bookmyshow bookmyshow123 paytm12345 phonepe123 googlepay flipkart123 amazon12345 jiocinema
hotstar123 primevideo netflix123 netflixandchill moviebuff movielover cinephile filmfan123
popcorn123 blockbuster showtime123 boxoffice firstdayfirstshow fdfs12345 housefull
jaishreeram123 jaihind123 jaimatadi123 omnamahshivaya omsairam123 harekrishna harekrishnaharerama
radhekrishna radheradhe ganpatibappamorya bharatmatakijai vandemataram mera bharat mahan
merabharatmahan incredibleindia digitalindia sachintendulkar viratkohli msdhoni rohitsharma
shahrukhkhan salmankhan amitabhbachchan bollywood123 tollywood kollywood
`)

func main() {
	set := map[string]bool{}
	add := func(s string) {
		s = strings.ToLower(s)
		if utf8.RuneCountInString(s) >= minLength && utf8.RuneCountInString(s) <= 128 {
			set[s] = true
		}
	}
	leet := strings.NewReplacer("a", "@", "o", "0", "e", "3", "i", "1", "s", "$")
	leetSoft := strings.NewReplacer("a", "4", "o", "0", "e", "3", "i", "1", "s", "5")
	for i, w := range words {
		sufs := suffixes[:commonSuffixes]
		if i < topWords {
			sufs = suffixes
		}
		for _, s := range sufs {
			add(w + s)
		}
		if i < topWords/2 {
			for _, p := range prefixes {
				for _, s := range []string{"", "1", "123", "!"} {
					add(p + w + s)
				}
			}
		}
		add(w + w)
		add(w + w + "1")
		add(w + w + "123")
		if i < topWords/2 {
			for y := 1970; y <= 2030; y++ {
				add(fmt.Sprint(w, y))
				add(fmt.Sprint(w, "@", y))
			}
		}
		if i < topWords {
			for _, s := range []string{"", "1", "12", "123", "1234", "!", "@123", "123!"} {
				add(leet.Replace(w) + s)
				add(leetSoft.Replace(w) + s)
			}
		}
	}
	for _, w := range walks {
		add(w)
		for _, s := range []string{"1", "12", "123", "!", "@123"} {
			add(w + s)
		}
	}
	for _, d := range digitRuns {
		add(d)
	}
	// Runs of one digit or of a short group, and ascending runs from 1.
	for d := '0'; d <= '9'; d++ {
		for n := minLength; n <= 20; n++ {
			add(strings.Repeat(string(d), n))
		}
	}
	for _, g := range []string{"12", "123", "1234", "12345", "21", "321", "4321", "54321", "69", "88", "99", "100", "007", "786", "abc", "xyz", "aa", "ab"} {
		for n := 2; len(g)*n <= 20; n++ {
			add(strings.Repeat(g, n))
		}
	}
	for d := 0; d <= 9; d++ {
		for n := minLength; n <= 20; n++ {
			add(strings.Repeat(string(rune('a'+d)), n))
		}
	}
	// Dates people use: DDMMYYYY and YYYYMMDD-like runs are numerous; keep the classic all-digit
	// ones of the form 0101YYYY and YYYY0101 plus the year twice.
	for y := 1950; y <= 2030; y++ {
		add(fmt.Sprintf("0101%d", y))
		add(fmt.Sprintf("%d0101", y))
		add(fmt.Sprintf("%d%d", y, y))
		add(fmt.Sprintf("123456%d", y))
		add(fmt.Sprintf("%d123456", y))
	}
	for _, p := range phrases {
		add(p)
		for _, s := range []string{"1", "12", "123", "!", "@123", "2024", "2025", "2026"} {
			add(p + s)
		}
	}

	list := make([]string, 0, len(set))
	for s := range set {
		list = append(list, s)
	}
	slices.Sort(list)
	var b strings.Builder
	b.WriteString("# Common passwords Marquee refuses, compared ignoring case. Generated by gen_common.go\n")
	b.WriteString("# (go generate); only entries of at least 10 characters, the minimum length.\n")
	for _, s := range list {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	if err := os.WriteFile("common.txt", []byte(b.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("common.txt: %d passwords\n", len(list))
}
