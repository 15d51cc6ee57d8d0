/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type BookingStatus =
  | 'CANCELLED'
  | 'CONFIRMED'
  | 'EXPIRED'
  | 'FAILED'
  | 'PENDING_PAYMENT'
  | 'REFUNDED';

export type CategoryPriceInput = {
  /** Minor units, greater than 0. */
  amount: number;
  category: string;
};

export type CreditInput = {
  name: string;
  role: string;
};

export type GeoPointInput = {
  lat: number;
  lng: number;
  /** Greater than 0 and at most 100. */
  radiusKm?: number | null | undefined;
};

export type GuestInput = {
  email: string;
  name?: string | null | undefined;
  /** E.164; numbers without a country code are read as Indian. */
  phone: string;
};

export type LatLngInput = {
  lat: number;
  lng: number;
};

export type MovieInput = {
  cast?: Array<CreditInput> | null | undefined;
  certification: string;
  crew?: Array<CreditInput> | null | undefined;
  formats: Array<string>;
  genres: Array<string>;
  languages: Array<string>;
  posterUrl?: string | null | undefined;
  releaseDate?: string | null | undefined;
  runtimeMinutes: number;
  status?: MovieStatus | null | undefined;
  synopsis?: string | null | undefined;
  title: string;
};

export type MovieStatus =
  | 'ARCHIVED'
  | 'NOW_SHOWING'
  | 'UPCOMING';

export type RegisterInput = {
  email: string;
  name: string;
  /** 10 to 128 characters; common passwords are refused. */
  password: string;
  /** Stored in E.164; numbers without a country code are read as Indian. */
  phone?: string | null | undefined;
};

export type ScheduleConflictReason =
  | 'FORMAT_NOT_OFFERED'
  | 'FORMAT_NOT_SUPPORTED'
  | 'IN_PAST'
  | 'LANGUAGE_NOT_OFFERED'
  | 'NONEXISTENT_TIME'
  | 'OVERLAP'
  | 'OVERLAP_IN_BATCH'
  | 'PRICE_MISSING'
  | 'UNKNOWN_CATEGORY';

export type ScheduleShowsInput = {
  /** 1 = Monday … 7 = Sunday; every day when absent. */
  daysOfWeek?: Array<number> | null | undefined;
  /** Check and return what would be created, without creating it. */
  dryRun?: boolean | null | undefined;
  format: string;
  fromDate: string;
  /** A retry with the same key returns the first answer instead of scheduling again. */
  idempotencyKey?: string | null | undefined;
  language: string;
  movieId: string | number;
  /** A price for every seat category of the screen's layout. */
  prices: Array<CategoryPriceInput>;
  screenId: string | number;
  /** Local start times, HH:MM. */
  startTimes: Array<string>;
  /** Inclusive; at most 90 days after fromDate. */
  toDate: string;
};

export type ScreenInput = {
  formats: Array<string>;
  layout: SeatLayoutInput;
  name: string;
};

export type ScreenUpdateInput = {
  formats?: Array<string> | null | undefined;
  layout?: SeatLayoutInput | null | undefined;
  name?: string | null | undefined;
};

export type SeatCategoryInput = {
  code: string;
  name: string;
};

/** A seat, or an empty place (an aisle) with gap: true. */
export type SeatCellInput = {
  accessible?: boolean | null | undefined;
  blocked?: boolean | null | undefined;
  category?: string | null | undefined;
  companion?: boolean | null | undefined;
  gap?: boolean | null | undefined;
  number?: number | null | undefined;
};

/** Rows from the back of the hall to the screen. */
export type SeatLayoutInput = {
  categories: Array<SeatCategoryInput>;
  rows: Array<SeatRowInput>;
};

export type SeatRowInput = {
  cells: Array<SeatCellInput>;
  label: string;
};

export type SeatStatus =
  | 'AVAILABLE'
  | 'BLOCKED'
  | 'BOOKED'
  | 'HELD';

export type ShowStatus =
  | 'CANCELLED'
  | 'SCHEDULED';

export type ShowtimeFilter = {
  cityId?: string | number | null | undefined;
  /** A local date; all upcoming dates when absent. */
  date?: string | null | undefined;
  format?: string | null | undefined;
  language?: string | null | undefined;
  movieId: string | number;
  near?: GeoPointInput | null | undefined;
};

export type TheatreInput = {
  address: string;
  amenities?: Array<string> | null | undefined;
  /** Customers may cancel until this many minutes before a show; 120 when absent. */
  cancellationCutoffMinutes?: number | null | undefined;
  chain?: string | null | undefined;
  /** Minutes a screen needs between shows; 15 when absent. */
  changeoverMinutes?: number | null | undefined;
  cityId: string | number;
  currency?: string | null | undefined;
  location: LatLngInput;
  name: string;
  /** Refund the convenience fee and its tax on cancellation too; false when absent (the ticket price is always refunded). */
  refundFeesOnCancel?: boolean | null | undefined;
  /** IANA time zone; the city's when absent. */
  timeZone?: string | null | undefined;
};

export type ConsoleTheatresQueryVariables = Exact<{
  cityId: string | number;
}>;


export type ConsoleTheatresQuery = { theatres: Array<{ id: string, name: string, address: string, timeZone: string, currency: string, city: { id: string, name: string }, screens: Array<{ id: string, name: string, seatCount: number, formats: Array<string> }> }> };

export type ConsoleCitiesQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleCitiesQuery = { cities: Array<{ id: string, name: string, location: { lat: number, lng: number } }> };

export type CreateTheatreMutationVariables = Exact<{
  input: TheatreInput;
}>;


export type CreateTheatreMutation = { createTheatre: { id: string, name: string } };

export type ConsoleTheatreQueryVariables = Exact<{
  id: string | number;
}>;


export type ConsoleTheatreQuery = { theatre: { id: string, name: string, address: string, currency: string, timeZone: string, city: { id: string, name: string }, screens: Array<{ id: string, name: string, formats: Array<string>, seatCount: number, layout: { categories: Array<{ code: string, name: string }> } }> } | null };

export type ScreenLayoutQueryVariables = Exact<{
  id: string | number;
}>;


export type ScreenLayoutQuery = { screen: { id: string, name: string, formats: Array<string>, seatCount: number, layout: { categories: Array<{ code: string, name: string }>, rows: Array<{ label: string, cells: Array<{ column: number, seat: { id: string, number: number, category: string, accessible: boolean, companion: boolean, blocked: boolean } | null }> }> } } | null };

export type AddScreenMutationVariables = Exact<{
  theatreId: string | number;
  input: ScreenInput;
}>;


export type AddScreenMutation = { addScreen: { id: string, name: string, seatCount: number } };

export type UpdateScreenMutationVariables = Exact<{
  id: string | number;
  input: ScreenUpdateInput;
}>;


export type UpdateScreenMutation = { updateScreen: { id: string, name: string, seatCount: number } };

export type ConsoleMoviesQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleMoviesQuery = { movies: { edges: Array<{ node: { id: string, title: string, status: MovieStatus, runtimeMinutes: number, certification: string, languages: Array<string>, formats: Array<string>, genres: Array<string> } }> } };

export type CreateMovieMutationVariables = Exact<{
  input: MovieInput;
}>;


export type CreateMovieMutation = { createMovie: { id: string, title: string } };

export type ScheduleMutationVariables = Exact<{
  input: ScheduleShowsInput;
}>;


export type ScheduleMutation = { scheduleShows: { dryRun: boolean, created: Array<{ id: string, localDate: string, localTime: string, format: string, language: string }>, conflicts: Array<{ date: string | null, startTime: string | null, reason: ScheduleConflictReason, message: string, clashesWith: { id: string, localTime: string, movie: { title: string } } | null }> } };

export type DayShowsQueryVariables = Exact<{
  movieId: string | number;
  cityId: string | number;
  date: string;
}>;


export type DayShowsQuery = { showtimes: Array<{ theatre: { id: string }, shows: Array<{ id: string, localTime: string, format: string, availableSeats: number, screen: { name: string, seatCount: number }, movie: { title: string } }> }> };

export type ShowSalesQueryVariables = Exact<{
  showIds: Array<string | number> | string | number;
}>;


export type ShowSalesQuery = { showSales: Array<{ showId: string, ticketsSold: number, capacity: number, confirmedBookings: number, revenue: { amount: number, currency: string } }> };

export type SessionFieldsFragment = { accessToken: string, accessTokenExpiresAt: string, refreshToken: string, user: { id: string, email: string, name: string, phone: string | null, roles: Array<string>, theatreIds: Array<string> } };

export type LoginMutationVariables = Exact<{
  email: string;
  password: string;
}>;


export type LoginMutation = { login: { accessToken: string, accessTokenExpiresAt: string, refreshToken: string, user: { id: string, email: string, name: string, phone: string | null, roles: Array<string>, theatreIds: Array<string> } } };

export type RegisterMutationVariables = Exact<{
  input: RegisterInput;
}>;


export type RegisterMutation = { register: { accessToken: string, accessTokenExpiresAt: string, refreshToken: string, user: { id: string, email: string, name: string, phone: string | null, roles: Array<string>, theatreIds: Array<string> } } };

export type RefreshMutationVariables = Exact<{
  refreshToken: string;
}>;


export type RefreshMutation = { refreshToken: { accessToken: string, accessTokenExpiresAt: string, refreshToken: string, user: { id: string, email: string, name: string, phone: string | null, roles: Array<string>, theatreIds: Array<string> } } };

export type LogoutMutationVariables = Exact<{
  refreshToken: string;
}>;


export type LogoutMutation = { logout: boolean };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { id: string, email: string, name: string, phone: string | null, roles: Array<string>, theatreIds: Array<string> } | null };

export type ShowFieldsFragment = { id: string, startsAt: string, localDate: string, localTime: string, language: string, format: string, status: ShowStatus, availableSeats: number, movie: { id: string, title: string, certification: string, runtimeMinutes: number }, theatre: { id: string, name: string, address: string, timeZone: string, currency: string, cancellationCutoffMinutes: number }, screen: { id: string, name: string } };

export type QuoteFieldsFragment = { lines: Array<{ category: string, name: string, seatIds: Array<string>, quantity: number, unitPrice: { amount: number, currency: string }, amount: { amount: number, currency: string } }>, subtotal: { amount: number, currency: string }, fees: { amount: number, currency: string }, taxes: { amount: number, currency: string }, total: { amount: number, currency: string } };

export type BookingFieldsFragment = { id: string, reference: string, status: BookingStatus, reason: string | null, seatIds: Array<string>, email: string, name: string | null, guest: boolean, createdAt: string, expiresAt: string, confirmedAt: string | null, cancelledAt: string | null, cancellable: boolean, cancelDeadline: string | null, paymentUrl: string | null, total: { amount: number, currency: string }, refund: { amount: number, currency: string } | null, quote: { lines: Array<{ category: string, name: string, seatIds: Array<string>, quantity: number, unitPrice: { amount: number, currency: string }, amount: { amount: number, currency: string } }>, subtotal: { amount: number, currency: string }, fees: { amount: number, currency: string }, taxes: { amount: number, currency: string }, total: { amount: number, currency: string } }, show: { id: string, startsAt: string, localDate: string, localTime: string, language: string, format: string, status: ShowStatus, availableSeats: number, movie: { id: string, title: string, certification: string, runtimeMinutes: number }, theatre: { id: string, name: string, address: string, timeZone: string, currency: string, cancellationCutoffMinutes: number }, screen: { id: string, name: string } } };

export type CitiesQueryVariables = Exact<{ [key: string]: never; }>;


export type CitiesQuery = { cities: Array<{ id: string, name: string, state: string, location: { lat: number, lng: number } }> };

export type BookingQueryVariables = Exact<{
  id: string | number;
}>;


export type BookingQuery = { booking: { id: string, reference: string, status: BookingStatus, reason: string | null, seatIds: Array<string>, email: string, name: string | null, guest: boolean, createdAt: string, expiresAt: string, confirmedAt: string | null, cancelledAt: string | null, cancellable: boolean, cancelDeadline: string | null, paymentUrl: string | null, total: { amount: number, currency: string }, refund: { amount: number, currency: string } | null, quote: { lines: Array<{ category: string, name: string, seatIds: Array<string>, quantity: number, unitPrice: { amount: number, currency: string }, amount: { amount: number, currency: string } }>, subtotal: { amount: number, currency: string }, fees: { amount: number, currency: string }, taxes: { amount: number, currency: string }, total: { amount: number, currency: string } }, show: { id: string, startsAt: string, localDate: string, localTime: string, language: string, format: string, status: ShowStatus, availableSeats: number, movie: { id: string, title: string, certification: string, runtimeMinutes: number }, theatre: { id: string, name: string, address: string, timeZone: string, currency: string, cancellationCutoffMinutes: number }, screen: { id: string, name: string } } } | null };

export type BookingByReferenceQueryVariables = Exact<{
  reference: string;
  email: string;
}>;


export type BookingByReferenceQuery = { bookingByReference: { id: string, reference: string, status: BookingStatus, reason: string | null, seatIds: Array<string>, email: string, name: string | null, guest: boolean, createdAt: string, expiresAt: string, confirmedAt: string | null, cancelledAt: string | null, cancellable: boolean, cancelDeadline: string | null, paymentUrl: string | null, total: { amount: number, currency: string }, refund: { amount: number, currency: string } | null, quote: { lines: Array<{ category: string, name: string, seatIds: Array<string>, quantity: number, unitPrice: { amount: number, currency: string }, amount: { amount: number, currency: string } }>, subtotal: { amount: number, currency: string }, fees: { amount: number, currency: string }, taxes: { amount: number, currency: string }, total: { amount: number, currency: string } }, show: { id: string, startsAt: string, localDate: string, localTime: string, language: string, format: string, status: ShowStatus, availableSeats: number, movie: { id: string, title: string, certification: string, runtimeMinutes: number }, theatre: { id: string, name: string, address: string, timeZone: string, currency: string, cancellationCutoffMinutes: number }, screen: { id: string, name: string } } } | null };

export type MyBookingsQueryVariables = Exact<{ [key: string]: never; }>;


export type MyBookingsQuery = { myBookings: Array<{ id: string, reference: string, status: BookingStatus, reason: string | null, seatIds: Array<string>, email: string, name: string | null, guest: boolean, createdAt: string, expiresAt: string, confirmedAt: string | null, cancelledAt: string | null, cancellable: boolean, cancelDeadline: string | null, paymentUrl: string | null, total: { amount: number, currency: string }, refund: { amount: number, currency: string } | null, quote: { lines: Array<{ category: string, name: string, seatIds: Array<string>, quantity: number, unitPrice: { amount: number, currency: string }, amount: { amount: number, currency: string } }>, subtotal: { amount: number, currency: string }, fees: { amount: number, currency: string }, taxes: { amount: number, currency: string }, total: { amount: number, currency: string } }, show: { id: string, startsAt: string, localDate: string, localTime: string, language: string, format: string, status: ShowStatus, availableSeats: number, movie: { id: string, title: string, certification: string, runtimeMinutes: number }, theatre: { id: string, name: string, address: string, timeZone: string, currency: string, cancellationCutoffMinutes: number }, screen: { id: string, name: string } } }> };

export type CancelBookingMutationVariables = Exact<{
  id: string | number;
}>;


export type CancelBookingMutation = { cancelBooking: { id: string, reference: string, status: BookingStatus, reason: string | null, seatIds: Array<string>, email: string, name: string | null, guest: boolean, createdAt: string, expiresAt: string, confirmedAt: string | null, cancelledAt: string | null, cancellable: boolean, cancelDeadline: string | null, paymentUrl: string | null, total: { amount: number, currency: string }, refund: { amount: number, currency: string } | null, quote: { lines: Array<{ category: string, name: string, seatIds: Array<string>, quantity: number, unitPrice: { amount: number, currency: string }, amount: { amount: number, currency: string } }>, subtotal: { amount: number, currency: string }, fees: { amount: number, currency: string }, taxes: { amount: number, currency: string }, total: { amount: number, currency: string } }, show: { id: string, startsAt: string, localDate: string, localTime: string, language: string, format: string, status: ShowStatus, availableSeats: number, movie: { id: string, title: string, certification: string, runtimeMinutes: number }, theatre: { id: string, name: string, address: string, timeZone: string, currency: string, cancellationCutoffMinutes: number }, screen: { id: string, name: string } } } };

export type HoldQueryVariables = Exact<{
  id: string | number;
}>;


export type HoldQuery = { hold: { id: string, expiresAt: string, extended: boolean, seatIds: Array<string>, show: { id: string, startsAt: string, localDate: string, localTime: string, language: string, format: string, status: ShowStatus, availableSeats: number, movie: { id: string, title: string, certification: string, runtimeMinutes: number }, theatre: { id: string, name: string, address: string, timeZone: string, currency: string, cancellationCutoffMinutes: number }, screen: { id: string, name: string } }, quote: { lines: Array<{ category: string, name: string, seatIds: Array<string>, quantity: number, unitPrice: { amount: number, currency: string }, amount: { amount: number, currency: string } }>, subtotal: { amount: number, currency: string }, fees: { amount: number, currency: string }, taxes: { amount: number, currency: string }, total: { amount: number, currency: string } } } | null };

export type ExtendHoldMutationVariables = Exact<{
  holdId: string | number;
}>;


export type ExtendHoldMutation = { extendHold: { id: string, expiresAt: string, extended: boolean, seatIds: Array<string>, quote: { lines: Array<{ category: string, name: string, seatIds: Array<string>, quantity: number, unitPrice: { amount: number, currency: string }, amount: { amount: number, currency: string } }>, subtotal: { amount: number, currency: string }, fees: { amount: number, currency: string }, taxes: { amount: number, currency: string }, total: { amount: number, currency: string } } } };

export type CheckoutMutationVariables = Exact<{
  holdId: string | number;
  guest?: GuestInput | null | undefined;
}>;


export type CheckoutMutation = { checkout: { paymentUrl: string, expiresAt: string, booking: { id: string, reference: string, status: BookingStatus } } };

export type MoviesQueryVariables = Exact<{
  cityId?: string | number | null | undefined;
}>;


export type MoviesQuery = { movies: { edges: Array<{ node: { id: string, title: string, certification: string, runtimeMinutes: number, languages: Array<string>, genres: Array<string>, formats: Array<string>, posterUrl: string | null } }> } };

export type NearbyTheatresQueryVariables = Exact<{
  near: GeoPointInput;
}>;


export type NearbyTheatresQuery = { theatres: Array<{ id: string, name: string, address: string, distanceKm: number | null }> };

export type MovieQueryVariables = Exact<{
  id: string | number;
}>;


export type MovieQuery = { movie: { id: string, title: string, synopsis: string, runtimeMinutes: number, certification: string, languages: Array<string>, genres: Array<string>, formats: Array<string>, releaseDate: string | null, cast: Array<{ name: string, role: string }> } | null };

export type ShowDatesQueryVariables = Exact<{
  movieId: string | number;
  cityId: string | number;
}>;


export type ShowDatesQuery = { showDates: Array<string> };

export type ShowtimesQueryVariables = Exact<{
  filter: ShowtimeFilter;
}>;


export type ShowtimesQuery = { showtimes: Array<{ distanceKm: number | null, theatre: { id: string, name: string, address: string, amenities: Array<string> }, shows: Array<{ id: string, localTime: string, language: string, format: string, availableSeats: number, status: ShowStatus, screen: { name: string, seatCount: number }, prices: Array<{ category: string, name: string, price: { amount: number, currency: string } }> }> }> };

export type HoldFieldsFragment = { id: string, expiresAt: string, extended: boolean, seatIds: Array<string>, quote: { lines: Array<{ category: string, name: string, seatIds: Array<string>, quantity: number, unitPrice: { amount: number, currency: string }, amount: { amount: number, currency: string } }>, subtotal: { amount: number, currency: string }, fees: { amount: number, currency: string }, taxes: { amount: number, currency: string }, total: { amount: number, currency: string } } };

export type SeatMapQueryVariables = Exact<{
  showId: string | number;
}>;


export type SeatMapQuery = { seatMap: { showId: string, show: { id: string, localDate: string, localTime: string, language: string, format: string, status: ShowStatus, startsAt: string, movie: { id: string, title: string, certification: string }, theatre: { id: string, name: string, currency: string }, screen: { id: string, name: string } }, rows: Array<{ label: string, cells: Array<{ column: number, seat: { id: string, number: number, category: string, status: SeatStatus, accessible: boolean, companion: boolean, mine: boolean } | null }> }>, categories: Array<{ category: string, name: string, price: { amount: number, currency: string } }>, myHold: { id: string, expiresAt: string, extended: boolean, seatIds: Array<string>, quote: { lines: Array<{ category: string, name: string, seatIds: Array<string>, quantity: number, unitPrice: { amount: number, currency: string }, amount: { amount: number, currency: string } }>, subtotal: { amount: number, currency: string }, fees: { amount: number, currency: string }, taxes: { amount: number, currency: string }, total: { amount: number, currency: string } } } | null } };

export type HoldSeatsMutationVariables = Exact<{
  showId: string | number;
  seatIds: Array<string | number> | string | number;
}>;


export type HoldSeatsMutation = { holdSeats: { id: string, expiresAt: string, extended: boolean, seatIds: Array<string>, quote: { lines: Array<{ category: string, name: string, seatIds: Array<string>, quantity: number, unitPrice: { amount: number, currency: string }, amount: { amount: number, currency: string } }>, subtotal: { amount: number, currency: string }, fees: { amount: number, currency: string }, taxes: { amount: number, currency: string }, total: { amount: number, currency: string } } } };

export type HoldBestMutationVariables = Exact<{
  showId: string | number;
  count: number;
  category?: string | null | undefined;
  accessible?: boolean | null | undefined;
}>;


export type HoldBestMutation = { holdBestAvailable: { id: string, expiresAt: string, extended: boolean, seatIds: Array<string>, quote: { lines: Array<{ category: string, name: string, seatIds: Array<string>, quantity: number, unitPrice: { amount: number, currency: string }, amount: { amount: number, currency: string } }>, subtotal: { amount: number, currency: string }, fees: { amount: number, currency: string }, taxes: { amount: number, currency: string }, total: { amount: number, currency: string } } } };

export type ReleaseHoldMutationVariables = Exact<{
  holdId: string | number;
}>;


export type ReleaseHoldMutation = { releaseHold: boolean };

export type SeatMapChangedSubscriptionVariables = Exact<{
  showId: string | number;
}>;


export type SeatMapChangedSubscription = { seatMapChanged: { showId: string, seats: Array<{ seatId: string, status: SeatStatus }> } };
