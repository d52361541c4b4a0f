module.exports = {
  displayName: 'groups',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
