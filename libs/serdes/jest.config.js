module.exports = {
  displayName: 'serdes',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
