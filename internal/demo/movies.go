package demo

import (
	"slices"

	"github.com/marquee-cinema/marquee/internal/movie"
)

// cast builds cast credits from name, character pairs.
func cast(pairs ...string) []movie.Credit {
	out := make([]movie.Credit, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, movie.Credit{Name: pairs[i], Role: pairs[i+1]})
	}
	return out
}

// crew builds the director, music and cinematography credits.
func crew(director, music, cinematography string) []movie.Credit {
	return []movie.Credit{
		{Name: director, Role: "Director"},
		{Name: music, Role: "Music"},
		{Name: cinematography, Role: "Cinematography"},
	}
}

// movies are the demo catalogue. Every title, synopsis and name is invented.
var movies = []movie.Movie{
	{
		Title:          "Monsoon Protocol",
		Synopsis:       "When Mumbai's flood-control grid is hijacked on the night of the heaviest downpour in a century, a suspended coast guard officer has six hours to find the hacker hiding in the city.",
		RuntimeMinutes: 152, ReleaseDate: "2026-11-06", Certification: "UA 13+",
		Genres: []string{"Action", "Thriller"}, Languages: []string{"Hindi", "English"},
		Formats: []string{"2D", "IMAX 2D", "4DX"},
		Cast:    cast("Arjun Malhotra", "Cmdr. Vikram Sathe", "Naina Deshpande", "Ira Kulkarni", "Farhan Qureshi", "Zubin", "Sudha Rane", "Mayor Apte"),
		Crew:    crew("Rohan Bhatnagar", "Kabir Sen", "Meera Iyengar"),
		Status:  movie.StatusNowShowing,
	},
	{
		Title:          "Appa's Bicycle",
		Synopsis:       "A retired postman in Madurai sets out to rebuild the bicycle he rode for forty years, and his restless grandson comes along for the ride.",
		RuntimeMinutes: 128, ReleaseDate: "2026-10-23", Certification: "U",
		Genres: []string{"Drama", "Family"}, Languages: []string{"Tamil"},
		Formats: []string{"2D"},
		Cast:    cast("Senthil Murugan", "Appa Ramasamy", "Karthik Velu", "Arun", "Lakshmi Narayanan", "Valli"),
		Crew:    crew("Priya Sundaram", "G. Ilango", "Bala Krishnan"),
		Status:  movie.StatusNowShowing,
	},
	{
		Title:          "Orbit of Ashes",
		Synopsis:       "The last crew of a failing orbital colony must choose between a dangerous return to a scorched Earth and a signal from deeper space that nobody can explain.",
		RuntimeMinutes: 167, ReleaseDate: "2026-11-13", Certification: "UA 13+",
		Genres: []string{"Sci-fi", "Action"}, Languages: []string{"English", "Hindi"},
		Formats: []string{"2D", "3D", "IMAX 2D", "IMAX 3D"},
		Cast:    cast("Elena Marsh", "Capt. Hana Voss", "Dev Raghavan", "Dr. Nikhil Rao", "Tomas Ekberg", "Pilot Lind", "Grace Adeyemi", "Commander Obi"),
		Crew:    crew("Julian Hart", "Anneke Vos", "Samuel Okafor"),
		Status:  movie.StatusNowShowing,
	},
	{
		Title:          "Teen Rupaiye Ka Sapna",
		Synopsis:       "Three flatmates in Old Delhi pool their last three rupees into a lottery ticket, and then lose it the morning it wins.",
		RuntimeMinutes: 134, ReleaseDate: "2026-10-30", Certification: "UA 7+",
		Genres: []string{"Comedy", "Drama"}, Languages: []string{"Hindi"},
		Formats: []string{"2D"},
		Cast:    cast("Manav Chaddha", "Bunty", "Pooja Saxena", "Rinki", "Irfan Mirza", "Saleem", "Kusum Arora", "Landlady"),
		Crew:    crew("Amit Khurana", "Raghav-Tanya", "Neeraj Pathak"),
		Status:  movie.StatusNowShowing,
	},
	{
		Title:          "Ranakshetra: The Iron Fort",
		Synopsis:       "In the Deccan of the fifteenth century, a disgraced general returns to defend the fortress that exiled him against an army ten times its size.",
		RuntimeMinutes: 174, ReleaseDate: "2026-10-09", Certification: "UA 16+",
		Genres: []string{"Action", "Drama"}, Languages: []string{"Telugu", "Hindi", "Tamil"},
		Formats: []string{"2D", "3D", "IMAX 3D"},
		Cast:    cast("Sai Teja Varma", "Senapati Rudra", "Ananya Reddy", "Rani Chandrika", "Jagan Rao", "Sultan Ghazan", "Venu Konda", "Bhairava"),
		Crew:    crew("S. Raghunandan", "Kotagiri Srinivas", "K. V. Harsha"),
		Status:  movie.StatusNowShowing,
	},
	{
		Title:          "Kaadu Kareyuthide",
		Synopsis:       "A forest guard in the Western Ghats investigates the disappearance of a research team and finds that the village below has been keeping a secret for thirty years.",
		RuntimeMinutes: 141, ReleaseDate: "2026-11-06", Certification: "UA 13+",
		Genres: []string{"Thriller", "Mystery"}, Languages: []string{"Kannada"},
		Formats: []string{"2D"},
		Cast:    cast("Ravikiran Gowda", "Manju", "Shwetha Hegde", "Dr. Kaveri", "Prakash Shetty", "Patel Siddappa"),
		Crew:    crew("Girish Nayak", "Anoop Bhat", "Chethan Urs"),
		Status:  movie.StatusNowShowing,
	},
	{
		Title:          "Neelakurinji Summer",
		Synopsis:       "Two strangers meet in Munnar during the once-in-twelve-years bloom and promise to return for the next one.",
		RuntimeMinutes: 122, ReleaseDate: "2026-10-16", Certification: "U",
		Genres: []string{"Romance", "Drama"}, Languages: []string{"Malayalam"},
		Formats: []string{"2D"},
		Cast:    cast("Nikhil Thomas", "Abhi", "Aparna Menon", "Gauri", "Jose Mathew", "Uncle Varkey"),
		Crew:    crew("Anjali Pillai", "Sushil Varghese", "Jomon Kurian"),
		Status:  movie.StatusNowShowing,
	},
	{
		Title:          "The Hollow at Matheran",
		Synopsis:       "A family that rents a colonial bungalow in the hill station for the monsoon discovers that the house keeps a guest book of people who never checked out.",
		RuntimeMinutes: 112, ReleaseDate: "2026-11-20", Certification: "A",
		Genres: []string{"Horror", "Thriller"}, Languages: []string{"Hindi", "English"},
		Formats: []string{"2D"},
		Cast:    cast("Radhika Phadke", "Tara", "Vivek Sinha", "Aditya", "Mehul Parekh", "Caretaker Dinu"),
		Crew:    crew("Sameer Dalvi", "Ketan Mody", "Ruchi Bansal"),
		Status:  movie.StatusNowShowing,
	},
	{
		Title:          "Pip and the Paper Tiger",
		Synopsis:       "A paper tiger folded by a lonely girl in Jaipur comes to life and must find its way home across the city before the monsoon rains arrive.",
		RuntimeMinutes: 98, ReleaseDate: "2026-11-13", Certification: "U",
		Genres: []string{"Animation", "Family", "Comedy"}, Languages: []string{"English", "Hindi", "Tamil", "Telugu"},
		Formats: []string{"2D", "3D"},
		Cast:    cast("Aanya Kapoor", "Pip (voice)", "Rahul Vohra", "Sher Khan the Paper Tiger (voice)", "Nandita Rao", "Dadi (voice)"),
		Crew:    crew("Leela Fernandes", "Nikhil D'Costa", "Ashwin Pillai"),
		Status:  movie.StatusNowShowing,
	},
	{
		Title:          "Kolhapuri Kusti",
		Synopsis:       "An ageing wrestling coach in Kolhapur bets his akhada on a stubborn village girl who has never lost a fight, or entered a ring.",
		RuntimeMinutes: 136, ReleaseDate: "2026-10-30", Certification: "UA 7+",
		Genres: []string{"Drama", "Comedy"}, Languages: []string{"Marathi"},
		Formats: []string{"2D"},
		Cast:    cast("Sandeep Jadhav", "Vastad Shinde", "Gauri Patil", "Sakhu", "Omkar Bhosale", "Raja"),
		Crew:    crew("Mahesh Kadam", "Ajay Gokhale", "Sudhir Palsane"),
		Status:  movie.StatusNowShowing,
	},
	{
		Title:          "Kolkata Ciphers",
		Synopsis:       "A retired cryptographer and a young tram conductor chase a string of coded letters through north Kolkata that point to a murder still to come.",
		RuntimeMinutes: 129, ReleaseDate: "2026-11-20", Certification: "UA 16+",
		Genres: []string{"Thriller", "Mystery"}, Languages: []string{"Bengali"},
		Formats: []string{"2D"},
		Cast:    cast("Subhendu Mitra", "Professor Ghoshal", "Riya Sengupta", "Mou", "Anirban Dutta", "Inspector Bagchi"),
		Crew:    crew("Arindam Basu", "Debojyoti Chakraborty", "Soumik Haldar"),
		Status:  movie.StatusNowShowing,
	},
	{
		Title:          "Signal from Sector Nine",
		Synopsis:       "A radio astronomer in Ladakh decodes a message that appears to come from her own observatory, thirty years in the future.",
		RuntimeMinutes: 138, ReleaseDate: "2026-12-18", Certification: "UA 13+",
		Genres: []string{"Sci-fi", "Thriller"}, Languages: []string{"English", "Hindi"},
		Formats: []string{"2D", "3D", "IMAX 3D", "4DX"},
		Cast:    cast("Tara Vaswani", "Dr. Meher Anand", "Kenji Morita", "Dr. Hiro Sato", "Stanzin Dorje", "Tashi"),
		Crew:    crew("Kavya Mehrotra", "Oliver Brandt", "Ishaan Chopra"),
		Status:  movie.StatusUpcoming,
	},
	{
		Title:          "Pyaar Ka Pincode",
		Synopsis:       "A delivery rider and a wedding planner keep being sent to the same wrong address in Pune until they decide to find out who lives there.",
		RuntimeMinutes: 131, ReleaseDate: "2027-01-15", Certification: "UA 13+",
		Genres: []string{"Romance", "Comedy"}, Languages: []string{"Hindi"},
		Formats: []string{"2D"},
		Cast:    cast("Kunal Bedi", "Sunny", "Ishita Rawat", "Mitali", "Sharad Gokhale", "Mr. Wagle"),
		Crew:    crew("Tanvi Arora", "Tejas-Ronit", "Harsh Vora"),
		Status:  movie.StatusUpcoming,
	},
	{
		Title:          "Vettai Rajan",
		Synopsis:       "A mild-mannered school teacher in Tirunelveli is forced back into the life of the feared hunter he once was when his old gang comes for his village.",
		RuntimeMinutes: 159, ReleaseDate: "2027-01-14", Certification: "UA 16+",
		Genres: []string{"Action", "Drama"}, Languages: []string{"Tamil", "Telugu", "Hindi"},
		Formats: []string{"2D", "4DX"},
		Cast:    cast("Selvan Arumugam", "Rajan", "Divya Shankar", "Malar", "R. Ganeshan", "Periya Annachi"),
		Crew:    crew("Vetri Kumaresan", "D. Aravind Raj", "Sathya Prakash"),
		Status:  movie.StatusUpcoming,
	},
	{
		Title:          "Last Local to Lonavala",
		Synopsis:       "Seven strangers on the last suburban train of the night realise one of them has boarded to make sure the others never get off.",
		RuntimeMinutes: 118, ReleaseDate: "2026-05-22", Certification: "UA 16+",
		Genres: []string{"Thriller"}, Languages: []string{"Hindi"},
		Formats: []string{"2D"},
		Cast:    cast("Aakash Tandon", "Jayant", "Sneha Wagh", "Dolly", "Harish Menon", "Ticket Checker Pawar"),
		Crew:    crew("Nitin Shah", "Zeeshan Ali", "Pooja Deshmukh"),
		Status:  movie.StatusArchived,
	},
}

// Movies returns the demo catalogue: mostly now showing, a few upcoming, one archived.
func Movies() []movie.Movie {
	out := make([]movie.Movie, 0, len(movies))
	for _, m := range movies {
		m.ID = MovieID(m.Title)
		m.Genres = slices.Clone(m.Genres)
		m.Languages = slices.Clone(m.Languages)
		m.Formats = slices.Clone(m.Formats)
		m.Cast = slices.Clone(m.Cast)
		m.Crew = slices.Clone(m.Crew)
		out = append(out, m)
	}
	return out
}
