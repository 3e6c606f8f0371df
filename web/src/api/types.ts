// Names for the API's types, all taken from the generated src/api/schema.ts (npm run gen:api,
// from ../schemas/openapi.yaml), so that the app never guesses a field name. Where the spec only
// says "object" (alarm rows, stream payloads) the shape is written here from the server's code
// and marked as such.
import type { components } from './schema';

type S = components['schemas'];
export type Principal = S['Principal'];
export type Role = S['Role'];
export type LoginResponse = S['LoginResponse'];
export type Problem = S['Problem'];
export type ProblemCode = S['ProblemCode'];
export type WarningLevel = S['WarningLevel'];
export type WarningStatus = S['WarningStatus'];
export type WarningEvent = S['WarningEvent'];
export type WarningEventList = S['WarningEventList'];
export type WarningEventDetail = S['WarningEventDetail'];
export type DisposalRecord = S['DisposalRecord'];
export type WarningTransition = S['WarningTransition'];
export type FeedbackCause = NonNullable<S['FeedbackCause']>;
export type VideoEvent = S['VideoEvent'];
export type VideoAnalyser = S['VideoAnalyser'];
export type CameraStatus = S['CameraStatus'];
export type EnterprisesRow = S['EnterprisesRow'];
export type CamerasRow = S['CamerasRow'];
export type MonitoringPointsRow = S['MonitoringPointsRow'];
export type RegionsRow = S['RegionsRow'];

/** An alarm episode as GET /api/v1/alarms lists it (the spec says GenericList; MonitoringService::alarms in src/service/monitoring.cpp). */
export interface AlarmRow {
  id: number;
  company_code: string;
  company_name?: string | null;
  hazard_code?: string | null;
  hazard_name?: string | null;
  quota_code: string;
  point_name?: string | null;
  unit?: string | null;
  alarm_type: string;
  start_ts: string;
  end_ts?: string | null;
  threshold?: number | null;
  peak_value?: number | null;
  value?: number | null;
  duration_s?: number | null;
  suppressed?: boolean | null;
  late?: boolean | null;
  is_data_fault?: boolean | null;
}

export interface ListOf<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** `event: alarm` of GET /api/v1/stream (service::EventHub::from_alarm). */
export interface LiveAlarm {
  transition: 'raised' | 'escalated' | 'cleared';
  alarm_type: string;
  quota_code: string;
  company_code: string;
  hazard_code?: string;
  equip_code?: string;
  is_data_fault?: boolean;
  value?: number | null;
  peak_value?: number | null;
  threshold?: number | null;
  start_ts: string;
  at: string;
  suppressed?: boolean;
  late?: boolean;
}

/** `event: warning` of GET /api/v1/stream: the warning event as pushed (WarningService::on_push). */
export type LiveWarning = Partial<WarningEvent> & Pick<WarningEvent, 'id' | 'level' | 'company_code'>;

/** `event: call` of GET /api/v1/stream: a call placed to the reader's duty room, answered or ended (api::call_event_json). */
export type LiveCall = S['DutyCall'];

export type Overview = S['Overview'];
export type OverviewEnterprise = S['OverviewEnterprise'];
export type StatisticsTrend = S['StatisticsTrend'];
export type StatisticsRanking = S['StatisticsRanking'];
export type RankingRow = S['RankingRow'];
