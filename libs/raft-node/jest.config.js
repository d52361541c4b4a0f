module.exports = {
  displayName: 'raft-node',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
