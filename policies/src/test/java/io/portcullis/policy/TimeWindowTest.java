package io.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TimeWindowTest {

  private static TimeWindow window(String days, String from, String to, String zone) {
    boolean[] d = new boolean[7];
    for (String day : days.split(" ")) {
      d["mon tue wed thu fri sat sun".indexOf(day) / 4] = true;
    }
    return new TimeWindow("w", d, seconds(from), seconds(to), ZoneId.of(zone));
  }

  private static int seconds(String hhmm) {
    return Integer.parseInt(hhmm.substring(0, 2)) * 3600 + Integer.parseInt(hhmm.substring(3)) * 60;
  }

  @ParameterizedTest(name = "{0} {1}-{2} {3} at {4}: {5}")
  @CsvSource({
    // 2026-01-05 is a Monday; Europe/Berlin is UTC+1 in January, UTC+2 in July.
    "mon tue wed thu fri, 07:00, 19:00, Europe/Berlin, 2026-01-05T06:00:00Z, true",
    "mon tue wed thu fri, 07:00, 19:00, Europe/Berlin, 2026-01-05T05:59:59Z, false",
    "mon tue wed thu fri, 07:00, 19:00, Europe/Berlin, 2026-01-05T18:00:00Z, false",
    "mon tue wed thu fri, 07:00, 19:00, Europe/Berlin, 2026-01-10T10:00:00Z, false",
    "mon tue wed thu fri, 07:00, 19:00, Europe/Berlin, 2026-07-06T05:00:00Z, true",
    "mon tue wed thu fri, 07:00, 19:00, UTC, 2026-01-05T06:30:00Z, false",
    // Friday night to Saturday morning belongs to Friday; Saturday night does not.
    "fri, 22:00, 06:00, UTC, 2026-01-09T23:00:00Z, true",
    "fri, 22:00, 06:00, UTC, 2026-01-10T05:59:00Z, true",
    "fri, 22:00, 06:00, UTC, 2026-01-10T23:00:00Z, false",
    "fri, 22:00, 06:00, UTC, 2026-01-09T05:00:00Z, false",
    // Sunday night into Monday wraps the week.
    "sun, 20:00, 04:00, UTC, 2026-01-05T03:00:00Z, true",
    "mon, 00:00, 24:00, UTC, 2026-01-05T23:59:59Z, true",
    "mon, 00:00, 24:00, UTC, 2026-01-06T00:00:00Z, false",
    // Before 1970 the day arithmetic must still floor, not truncate.
    "wed, 00:00, 24:00, UTC, 1969-12-31T12:00:00Z, true",
  })
  void containsShouldFollowDaysHoursAndZone(
      String days, String from, String to, String zone, String instant, boolean inside) {
    assertThat(window(days, from, to, zone).contains(Instant.parse(instant))).isEqualTo(inside);
  }
}
