module.exports = {
  displayName: 'raft',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
