// Reads iCalendar files with ical.js (Thunderbird's parser) and prints, as JSON, what a
// calendar program would take from them: one line of input per file, base64-encoded; one
// line of JSON out per file, or {"error": "..."} when ical.js cannot read it.
import ICAL from "ical.js";
import { createInterface } from "node:readline";

function address(property) {
  if (!property) return null;
  return {
    value: String(property.getFirstValue()),
    cn: property.getParameter("cn") ?? null,
  };
}

function read(text) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const zones = calendar.getAllSubcomponents("vtimezone");
  for (const zone of zones) ICAL.TimezoneService.register(zone);
  const events = calendar.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      sequence: event.sequence,
      summary: event.summary,
      location: event.location,
      description: event.description,
      status: component.getFirstPropertyValue("status"),
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      start_local: event.startDate.toString(),
      tzid: event.startDate.zone?.tzid ?? null,
      stamp: component.getFirstPropertyValue("dtstamp")?.toJSDate().toISOString() ?? null,
      organizer: address(component.getFirstProperty("organizer")),
      attendees: component.getAllProperties("attendee").map(address),
    };
  });
  for (const zone of zones) ICAL.TimezoneService.remove(zone.getFirstPropertyValue("tzid"));
  const value = (name) => {
    const v = calendar.getFirstPropertyValue(name);
    return v === null || v === undefined ? null : String(v);
  };
  return {
    method: value("method"),
    prodid: value("prodid"),
    version: value("version"),
    calname: value("x-wr-calname"),
    refresh_interval: value("refresh-interval"),
    published_ttl: value("x-published-ttl"),
    timezones: zones.map((zone) => zone.getFirstPropertyValue("tzid")),
    events,
  };
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line) continue;
  try {
    process.stdout.write(JSON.stringify(read(Buffer.from(line, "base64").toString("utf8"))) + "\n");
  } catch (error) {
    process.stdout.write(JSON.stringify({ error: String(error) }) + "\n");
  }
}
