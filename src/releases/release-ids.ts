/**
 * Release ids in the seed's form, adjective-colour-animal ("blurry-green-cat"):
 * readable, DNS-1123 labels, and short enough for Tiller's 53-character names
 * and the object names charts derive from them. About 150k combinations; a
 * collision is retried by the caller.
 */
import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'agile', 'bold', 'brave', 'bright', 'blurry', 'calm', 'clever', 'cosy', 'crisp', 'curious', 'daring', 'eager',
  'fancy', 'fast', 'fierce', 'fluffy', 'gentle', 'giant', 'glad', 'happy', 'hasty', 'humble', 'jolly', 'keen',
  'kind', 'lively', 'lucky', 'mellow', 'merry', 'mighty', 'modest', 'nimble', 'noble', 'odd', 'plucky', 'polite',
  'proud', 'quick', 'quiet', 'rapid', 'rusty', 'shiny', 'shy', 'silly', 'sleepy', 'smart', 'snappy', 'sneaky',
  'solid', 'spry', 'steady', 'sunny', 'swift', 'tidy', 'tiny', 'tough', 'vivid', 'warm', 'wild', 'wise', 'witty',
  'young', 'zany', 'zesty',
];
const COLOURS = [
  'amber', 'aqua', 'azure', 'beige', 'black', 'blue', 'bronze', 'brown', 'coral', 'crimson', 'cyan', 'gold',
  'green', 'grey', 'indigo', 'ivory', 'jade', 'khaki', 'lemon', 'lilac', 'lime', 'magenta', 'maroon', 'mint',
  'navy', 'ochre', 'olive', 'orange', 'peach', 'pink', 'plum', 'purple', 'red', 'rose', 'ruby', 'rust', 'sage',
  'salmon', 'sand', 'scarlet', 'silver', 'tan', 'teal', 'violet', 'white', 'yellow',
];
const ANIMALS = [
  'badger', 'bat', 'bear', 'beaver', 'bee', 'bison', 'boar', 'cat', 'crab', 'crane', 'crow', 'deer', 'dingo',
  'dog', 'dolphin', 'dove', 'duck', 'eagle', 'eel', 'elk', 'emu', 'falcon', 'ferret', 'finch', 'fox', 'frog',
  'gecko', 'goat', 'goose', 'hare', 'hawk', 'hedgehog', 'heron', 'horse', 'ibis', 'jay', 'koala', 'lemur',
  'lion', 'llama', 'lynx', 'mole', 'moose', 'mouse', 'newt', 'otter', 'owl', 'panda', 'parrot', 'pony',
  'puffin', 'quail', 'rabbit', 'raven', 'seal', 'shark', 'sheep', 'sloth', 'snail', 'swan', 'tiger', 'toad',
  'trout', 'turtle', 'walrus', 'whale', 'wolf', 'wombat', 'yak', 'zebra',
];

const pick = (words: readonly string[]) => words[randomInt(words.length)] as string;

export function newReleaseId(): string {
  return `${pick(ADJECTIVES)}-${pick(COLOURS)}-${pick(ANIMALS)}`;
}

/** Tiller's limit on release names. */
export const RELEASE_ID_MAX_LENGTH = 53;

/** Ids the store generates or accepts: lower-case DNS-1123 labels of up to 53 characters (Tiller's limit). */
export const RELEASE_ID_PATTERN = /^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/;

export function isReleaseId(value: string): boolean {
  return RELEASE_ID_PATTERN.test(value);
}
