//! The day and week views: hours down the side, events placed and sized by
//! their times (from `layout::day::grid`), overlapping ones side by side,
//! the all-day row above and a line at the current time.

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime};
use iced::widget::operation::{self, AbsoluteOffset};
use iced::widget::text::Wrapping;
use iced::widget::{Column, Row, column, container, mouse_area, row, rule, scrollable, space, stack, text};
use iced::{Element, Fill, FillPortion, Task, Theme, mouse};

use super::calendar::{Message, day_header};
use super::drag::Target;
use super::event::{self, Colours, Mark};
use super::style;
use crate::layout::allday::Spanning;
use crate::layout::day::{self, Day, TimedBox};
use crate::sync::AgendaItem;

/// Pixels per hour: a 30-minute meeting fits two short lines.
pub const HOUR: f32 = 48.0;
/// The width of the hour labels down the side.
const GUTTER: f32 = 48.0;
/// Where the hours scroll to when a view opens: the working day.
const WORKING_DAY_STARTS: f32 = 7.0;
const SCROLL: &str = "timegrid";
/// Between day columns, and between side-by-side boxes.
const GAP: f32 = style::SPACE_XS;
/// The hours' scrollbar (iced's default width), beside the days rather
/// than over them; the rows above leave its room so the days line up.
const SCROLLBAR: f32 = 10.0;
/// The strip at a box's bottom that changes its length when dragged.
const EDGE: f32 = 6.0;

/// Scrolls the hours to the start of the working day.
pub fn to_working_day<T>() -> Task<T> {
    operation::scroll_to(SCROLL, AbsoluteOffset { x: 0.0, y: WORKING_DAY_STARTS * HOUR })
}

fn px(minutes: u32) -> f32 {
    minutes as f32 * HOUR / 60.0
}

/// `count` days from `first`: `items` must be sorted by start (as the
/// agenda is), so boxes that start together keep a stable order. `sweep`
/// is the range a drag over empty grid covers, drawn as the new event.
pub fn view<'a>(
    items: &[&'a AgendaItem],
    colours: &Colours,
    first: NaiveDate,
    count: usize,
    now: DateTime<Local>,
    sweep: Option<(NaiveDateTime, NaiveDateTime)>,
) -> Element<'a, Message> {
    let occurrences: Vec<_> = items.iter().map(|i| i.occurrence.clone()).collect();
    let grid = day::grid(&occurrences, first, count, &Local);
    let today = now.date_naive();
    let headers = grid.days.iter().map(|d| container(day_header(d.date, today)).width(FillPortion(1)).into());
    let header =
        Row::new().push(space().width(GUTTER)).extend(headers).push(space().width(SCROLLBAR)).spacing(GAP);
    let days = grid.days.iter().map(|d| day_column(d, items, colours, &now, sweep));
    let hours = Row::new().push(hour_labels()).extend(days).spacing(GAP);
    column![
        header,
        all_day_row(&grid.spanning, grid.lanes, first, count, items, colours),
        rule::horizontal(1).style(rule::weak),
        scrollable(hours).id(SCROLL).spacing(GAP).height(Fill)
    ]
    .spacing(style::SPACE_S)
    .into()
}

fn hour_labels<'a>() -> Element<'a, Message> {
    let label = |h: u32| {
        container(text(format!("{h:02}:00")).size(style::TEXT_XS).style(style::muted)).height(HOUR).into()
    };
    Column::from_iter((0..24).map(label)).width(GUTTER).into()
}

/// One day: hour lines underneath, then the skipped or repeated hour of a
/// clock change, the boxes, and the current-time line on top. The column
/// reports the pointer, so a drag on it creates or moves an event.
fn day_column<'a>(
    d: &Day,
    items: &[&'a AgendaItem],
    colours: &Colours,
    now: &DateTime<Local>,
    sweep: Option<(NaiveDateTime, NaiveDateTime)>,
) -> Element<'a, Message> {
    let line = |_| container(rule::horizontal(1).style(rule::weak)).height(HOUR).into();
    let mut layers: Vec<Element<'a, Message>> = vec![Column::from_iter((0..24).map(line)).width(Fill).into()];
    if let Some(s) = d.shift {
        let note = if s.repeated { "clocks go back: this hour happens twice" } else { "clocks go forward" };
        let band = container(text(note).size(style::TEXT_XS).style(style::muted))
            .height(px(s.to - s.from))
            .width(Fill)
            .style(container::rounded_box);
        layers.push(column![space().height(px(s.from)), band].into());
    }
    layers.extend(d.boxes.iter().map(|b| placed(b, items[b.index], colours)));
    if let Some((start, end)) = sweep.filter(|(start, _)| start.date() == d.date) {
        let top = (start - crate::layout::midnight(d.date)).num_minutes() as u32;
        let bottom = (end - crate::layout::midnight(d.date)).num_minutes() as u32;
        let label = format!("{}–{}", start.format("%H:%M"), end.format("%H:%M"));
        let band = container(text(label).size(style::TEXT_XS))
            .padding([style::SPACE_XS, style::SPACE_S])
            .height(px(bottom - top))
            .width(Fill)
            .style(|theme: &Theme| {
                let p = theme.extended_palette();
                container::Style {
                    background: Some(p.primary.weak.color.scale_alpha(0.7).into()),
                    border: iced::Border {
                        radius: style::RADIUS.into(),
                        width: 1.0,
                        color: p.primary.base.color,
                    },
                    text_color: Some(p.primary.weak.text),
                    ..container::Style::default()
                }
            });
        layers.push(column![space().height(px(top)), band].into());
    }
    if let Some(minute) = day::now_line(now, d.date) {
        let mark = container(space().height(2).width(Fill)).style(|theme: &Theme| container::Style {
            background: Some(theme.extended_palette().danger.base.color.into()),
            ..container::Style::default()
        });
        layers.push(column![space().height((px(minute) - 1.0).max(0.0)), mark].into());
    }
    let date = d.date;
    let column = stack(layers).width(Fill).height(px(24 * 60));
    let column = mouse_area(column)
        .on_move(move |p| Message::Pointer(date, p.y))
        .on_press(Message::Press(Target::Empty))
        .on_release(Message::Release)
        .interaction(mouse::Interaction::Crosshair);
    container(column).id(format!("grid-{date}")).width(FillPortion(1)).into()
}

/// Cells `[from, to]` of `of`, the rest left empty: how a box takes its
/// column, and a bar its days.
fn span<'a>(content: Element<'a, Message>, from: usize, to: usize, of: usize) -> Element<'a, Message> {
    let gap = |n: usize| (n > 0).then(|| space().width(FillPortion(n as u16)).into());
    let middle = container(content).width(FillPortion((to + 1 - from) as u16)).into();
    Row::from_iter(gap(from).into_iter().chain([middle]).chain(gap(of - 1 - to))).spacing(GAP).into()
}

/// Column `column` of `columns`: a box beside the ones it overlaps.
fn across<'a>(content: Element<'a, Message>, column: usize, columns: usize) -> Element<'a, Message> {
    span(content, column, column, columns)
}

fn placed<'a>(b: &TimedBox, item: &'a AgendaItem, colours: &Colours) -> Element<'a, Message> {
    let o = &item.occurrence;
    let height = px(b.bottom - b.top) - 1.0;
    // A box of the minimum height (12 px) still shows its title, smaller.
    let tiny = height < 20.0;
    // Where two lines fit, the title is broken between words rather than
    // cut off mid-word at the box's edge (what doesn't fit is clipped below).
    let title = match height {
        h if h < 20.0 => event::title(item, 9.0),
        h if h < 36.0 => event::title(item, style::TEXT_S),
        _ => event::title_wrapped(item, style::TEXT_S, Wrapping::Word),
    };
    let mut lines = column![title];
    if height >= 2.0 * 14.0 {
        let from = if b.continued { "…".to_owned() } else { o.start.format("%H:%M").to_string() };
        let to = if b.continues { "…".to_owned() } else { o.end.format("%H:%M").to_string() };
        let when = text(format!("{from}–{to}{}", Mark::of(item).words())).size(style::TEXT_XS);
        lines = lines.push(when.wrapping(Wrapping::Word));
    }
    let inside = container(lines)
        .padding(if tiny { [0.0, style::SPACE_S] } else { [style::SPACE_XS, style::SPACE_S + 2.0] })
        .width(Fill)
        .height(Fill)
        .clip(true);
    // The box takes the press itself (its button would open it on any
    // release): a click opens it, a drag moves it, a double-click edits;
    // its bottom edge changes its length.
    if item.invitation {
        // Someone else's meeting: it opens, but moves only by its organizer.
        let card = event::card(item, colours.get(&item.calendar), inside).height(height).width(Fill);
        let card = across(card.into(), b.column.column, b.column.columns);
        return column![space().height(px(b.top)), card].into();
    }
    let boxed = Box::new(item.clone());
    let body = mouse_area(inside)
        .on_press(Message::Press(Target::Body(boxed.clone())))
        .on_double_click(Message::DoubleClick(boxed.clone()))
        .interaction(mouse::Interaction::Grab);
    let edge = mouse_area(space().width(Fill).height(EDGE.min(height / 3.0)))
        .on_press(Message::Press(Target::Bottom(boxed)))
        .interaction(mouse::Interaction::ResizingVertically);
    let inside = stack![body, column![space().height(Fill), edge]];
    let card = event::card(item, colours.get(&item.calendar), inside).height(height).width(Fill);
    let card = across(card.into(), b.column.column, b.column.columns);
    column![space().height(px(b.top)), card].into()
}

/// The all-day bars, lane under lane; over them a transparent cell per
/// day that reports the pointer, so a bar dragged along the row moves by
/// whole days (the cells take no press: the bars under them get it).
fn all_day_row<'a>(
    bars: &[Spanning],
    lanes: usize,
    first: NaiveDate,
    days: usize,
    items: &[&'a AgendaItem],
    colours: &Colours,
) -> Element<'a, Message> {
    let lane = |n: usize| {
        let in_lane = bars.iter().filter(move |s| s.lane == n).map(|s| {
            let item = items[s.index];
            let inside =
                row![event::title(item, style::TEXT_S), text(Mark::of(item).words()).size(style::TEXT_S)];
            let inside =
                container(inside).padding([style::SPACE_XS, style::SPACE_S + 2.0]).width(Fill).clip(true);
            span(
                event::card(item, colours.get(&item.calendar), bar(item, inside)).width(Fill).into(),
                s.first,
                s.last,
                days,
            )
        });
        row![space().width(GUTTER), stack(in_lane).width(Fill), space().width(SCROLLBAR)].spacing(GAP).into()
    };
    let lanes: Element<'a, Message> = Column::from_iter((0..lanes).map(lane)).spacing(GAP).into();
    let cells = (0..days).map(|i| {
        let date = first + chrono::Duration::days(i as i64);
        let cell = mouse_area(space().width(Fill).height(Fill))
            .on_enter(Message::PointerOnDay(date))
            .on_release(Message::Release);
        container(cell).id(format!("all-day-{date}")).width(FillPortion(1)).height(Fill).into()
    });
    let cells =
        Row::new().push(space().width(GUTTER)).extend(cells).push(space().width(SCROLLBAR)).spacing(GAP);
    stack![lanes, cells].into()
}

/// What a bar holds: one's own event drags along the row and edits on a
/// double-click; an invitation only opens (its organizer moves it).
fn bar<'a>(item: &'a AgendaItem, inside: impl Into<Element<'a, Message>>) -> Element<'a, Message> {
    if item.invitation {
        return inside.into();
    }
    let boxed = Box::new(item.clone());
    mouse_area(inside)
        .on_press(Message::Press(Target::AllDay(boxed.clone())))
        .on_double_click(Message::DoubleClick(boxed))
        .interaction(mouse::Interaction::Grab)
        .into()
}
