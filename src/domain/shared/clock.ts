/**
 * The one source of "now" for the application. Deciders never read it: the time they decide
 * with arrives in the command, taken from this clock by the layer that builds the command.
 */
export interface Clock {
  now(): Date;
}
