// Container names: Docker's validation rule and its generated "adjective_surname" names.
import { randomInt } from 'node:crypto';
import { InvalidParameter } from '../../errdefs/index.js';

const VALID_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** The name without its leading slash; Docker's error for an invalid one. */
export function validateName(name: string): string {
  if (!VALID_NAME.test(name)) {
    throw new InvalidParameter(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name.startsWith('/') ? name.slice(1) : name;
}

const LEFT = [
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'blissful', 'bold', 'boring',
  'brave', 'busy', 'charming', 'clever', 'compassionate', 'competent', 'condescending', 'confident', 'cool', 'cranky',
  'crazy', 'dazzling', 'determined', 'distracted', 'dreamy', 'eager', 'ecstatic', 'elastic', 'elated', 'elegant',
  'eloquent', 'epic', 'exciting', 'fervent', 'festive', 'flamboyant', 'focused', 'friendly', 'frosty', 'funny',
  'gallant', 'gifted', 'goofy', 'gracious', 'great', 'happy', 'hardcore', 'heuristic', 'hopeful', 'hungry',
  'infallible', 'inspiring', 'intelligent', 'interesting', 'jolly', 'jovial', 'keen', 'kind', 'laughing', 'loving',
  'lucid', 'magical', 'modest', 'musing', 'mystifying', 'naughty', 'nervous', 'nice', 'nifty', 'nostalgic',
  'objective', 'optimistic', 'peaceful', 'pedantic', 'pensive', 'practical', 'priceless', 'quirky', 'quizzical',
  'recursing', 'relaxed', 'reverent', 'romantic', 'sad', 'serene', 'sharp', 'silly', 'sleepy', 'stoic', 'strange',
  'stupefied', 'suspicious', 'sweet', 'tender', 'thirsty', 'trusting', 'unruffled', 'upbeat', 'vibrant', 'vigilant',
  'vigorous', 'wizardly', 'wonderful', 'xenodochial', 'youthful', 'zealous', 'zen',
];
const RIGHT = [
  'agnesi', 'albattani', 'allen', 'archimedes', 'ardinghelli', 'aryabhata', 'babbage', 'banach', 'bardeen', 'bartik',
  'bassi', 'bell', 'benz', 'bhabha', 'black', 'blackwell', 'bohr', 'booth', 'borg', 'bose', 'brahmagupta', 'brattain',
  'brown', 'carson', 'cerf', 'chandrasekhar', 'chaplygin', 'chatelet', 'clarke', 'colden', 'cori', 'curie', 'darwin',
  'davinci', 'diffie', 'dijkstra', 'dubinsky', 'easley', 'einstein', 'elbakyan', 'elgamal', 'elion', 'engelbart',
  'euclid', 'euler', 'faraday', 'fermat', 'fermi', 'feynman', 'franklin', 'galileo', 'gates', 'goldberg', 'goldstine',
  'goodall', 'hamilton', 'hawking', 'heisenberg', 'hermann', 'hodgkin', 'hofstadter', 'hopper', 'hypatia', 'jackson',
  'jang', 'jennings', 'johnson', 'kalam', 'kapitsa', 'keller', 'kepler', 'khorana', 'kilby', 'knuth', 'lalande',
  'lamport', 'leakey', 'lovelace', 'lumiere', 'mahavira', 'margulis', 'mayer', 'mccarthy', 'mcclintock', 'meitner',
  'mendel', 'mirzakhani', 'montalcini', 'morse', 'napier', 'nash', 'newton', 'nobel', 'noether', 'noyce', 'pascal',
  'pasteur', 'perlman', 'pike', 'poincare', 'ptolemy', 'raman', 'ramanujan', 'ride', 'ritchie', 'rosalind', 'sammet',
  'shannon', 'shockley', 'sinoussi', 'stonebraker', 'swanson', 'tesla', 'thompson', 'torvalds', 'turing', 'varahamihira',
  'villani', 'wilbur', 'wiles', 'williams', 'wing', 'wozniak', 'wright', 'yalow', 'yonath',
];

/** A random name; with `retry` > 0 a digit is appended, as Docker does after a collision. */
export function generateName(retry = 0): string {
  const name = `${LEFT[randomInt(LEFT.length)]}_${RIGHT[randomInt(RIGHT.length)]}`;
  return retry > 0 ? `${name}${randomInt(10)}` : name;
}
