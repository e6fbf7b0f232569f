package io.portcullis.policy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneRules;

/**
 * A weekly time window in a time zone ({@code mon-fri 07:00-19:00 Europe/Berlin}); a window whose
 * end is before its start runs over midnight and counts for the day it starts on. Matching does day
 * arithmetic on epoch seconds so that it does not allocate. Immutable.
 */
final class TimeWindow {

  private static final int SECONDS_PER_DAY = 86_400;

  private final String name;
  private final boolean[] days; // index 0 = Monday
  private final int fromSecond;
  private final int toSecond;
  private final ZoneId zone;
  private final ZoneRules rules;

  TimeWindow(String name, boolean[] days, int fromSecond, int toSecond, ZoneId zone) {
    this.name = name;
    this.days = days.clone();
    this.fromSecond = fromSecond;
    this.toSecond = toSecond;
    this.zone = zone;
    this.rules = zone.getRules();
  }

  String name() {
    return name;
  }

  ZoneId zone() {
    return zone;
  }

  boolean contains(Instant time) {
    long local = time.getEpochSecond() + rules.getOffset(time).getTotalSeconds();
    long day = Math.floorDiv(local, SECONDS_PER_DAY);
    int second = Math.floorMod(local, SECONDS_PER_DAY);
    int weekday = Math.floorMod(day + 3, 7); // 1970-01-01 was a Thursday (index 3)
    if (fromSecond < toSecond) {
      return days[weekday] && second >= fromSecond && second < toSecond;
    }
    // Over midnight: the evening part belongs to today, the morning part to yesterday's window.
    return (days[weekday] && second >= fromSecond)
        || (days[Math.floorMod(weekday - 1, 7)] && second < toSecond);
  }
}
