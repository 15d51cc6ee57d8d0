package graph

import (
	moviev1 "github.com/marquee-cinema/marquee/api/proto/marquee/movie/v1"
	theatrev1 "github.com/marquee-cinema/marquee/api/proto/marquee/theatre/v1"
	"github.com/marquee-cinema/marquee/internal/gateway/graph/model"
	"github.com/marquee-cinema/marquee/internal/platform/errs"
)

func fromGraphCredits(cs []*model.CreditInput) []*moviev1.Credit {
	out := make([]*moviev1.Credit, len(cs))
	for i, c := range cs {
		out[i] = &moviev1.Credit{Name: c.Name, Role: c.Role}
	}
	return out
}

func fromGraphMovieInput(in model.MovieInput) *moviev1.Movie {
	m := &moviev1.Movie{Title: in.Title, Synopsis: deref(in.Synopsis), RuntimeMinutes: int32(in.RuntimeMinutes),
		Certification: in.Certification, Genres: in.Genres, Languages: in.Languages, Formats: in.Formats,
		Cast: fromGraphCredits(in.Cast), Crew: fromGraphCredits(in.Crew), PosterUrl: deref(in.PosterURL)}
	if in.ReleaseDate != nil {
		m.ReleaseDate = string(*in.ReleaseDate)
	}
	if in.Status != nil {
		m.Status = fromGraphMovieStatus(*in.Status)
	}
	return m
}

// applyMovieUpdate overwrites the fields the update sets.
func applyMovieUpdate(m *moviev1.Movie, in model.MovieUpdateInput) {
	if in.Title != nil {
		m.Title = *in.Title
	}
	if in.Synopsis != nil {
		m.Synopsis = *in.Synopsis
	}
	if in.RuntimeMinutes != nil {
		m.RuntimeMinutes = int32(*in.RuntimeMinutes)
	}
	if in.ReleaseDate != nil {
		m.ReleaseDate = string(*in.ReleaseDate)
	}
	if in.Certification != nil {
		m.Certification = *in.Certification
	}
	if in.Genres != nil {
		m.Genres = in.Genres
	}
	if in.Languages != nil {
		m.Languages = in.Languages
	}
	if in.Formats != nil {
		m.Formats = in.Formats
	}
	if in.Cast != nil {
		m.Cast = fromGraphCredits(in.Cast)
	}
	if in.Crew != nil {
		m.Crew = fromGraphCredits(in.Crew)
	}
	if in.Status != nil {
		m.Status = fromGraphMovieStatus(*in.Status)
	}
	if in.PosterURL != nil {
		m.PosterUrl = *in.PosterURL
	}
}

// fromGraphLayout converts a layout input. Seat cells must have a number and a category.
func fromGraphLayout(in *model.SeatLayoutInput) (*theatrev1.Layout, error) {
	out := &theatrev1.Layout{}
	for _, c := range in.Categories {
		out.Categories = append(out.Categories, &theatrev1.SeatCategory{Code: c.Code, Name: c.Name})
	}
	for _, r := range in.Rows {
		row := &theatrev1.Row{Label: r.Label}
		for i, c := range r.Cells {
			gap := c.Gap != nil && *c.Gap
			cell := &theatrev1.Cell{Gap: gap}
			if !gap {
				if c.Number == nil || c.Category == nil {
					return nil, errs.Invalidf("layout.rows", "row %s, cell %d: a seat needs a number and a category (or gap: true)", r.Label, i+1)
				}
				cell.Number, cell.Category = int32(*c.Number), *c.Category
				cell.Accessible = c.Accessible != nil && *c.Accessible
				cell.Companion = c.Companion != nil && *c.Companion
				cell.Blocked = c.Blocked != nil && *c.Blocked
			}
			row.Cells = append(row.Cells, cell)
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}
